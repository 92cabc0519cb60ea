import TunaSearch
