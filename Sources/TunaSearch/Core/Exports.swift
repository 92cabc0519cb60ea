// The seeded generator is shared with the training core; users of the search core see it here.
@_exported import TunaRandom
