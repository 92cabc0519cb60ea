/// One CSV record: its fields and the 1-based line it starts on.
struct CSVRecord {
  var fields: [String]
  var line: Int
}

/// Splits CSV text into records, following the basics of RFC 4180 (Shafranovich, "Common Format
/// and MIME Type for Comma-Separated Values (CSV) Files", 2005):
///
/// - fields are separated by commas, records by LF or CRLF (a lone CR ends a record too);
/// - a field may be enclosed in double quotes, and then may hold commas, line breaks and quotes
///   written twice (`"say ""hi"", twice"`);
/// - a quote inside an unquoted field is kept as a plain character.
///
/// Beyond the RFC: a UTF-8 byte order mark is skipped, blank lines are skipped (they still count
/// for line numbers), and unquoted fields lose surrounding spaces and tabs.
enum CSVReader {
  static func records(_ bytes: [UInt8], file: String) throws(CSVError) -> [CSVRecord] {
    let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"),
      cr = UInt8(ascii: "\r"), space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
    let n = bytes.count
    var i = 0
    if n >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
    var line = 1
    var records: [CSVRecord] = []
    var field: [UInt8] = []

    /// Consumes one line break at `i` (LF, CRLF or CR), if there is one.
    func consumeNewline(_ i: inout Int, _ line: inout Int) {
      if i < n, bytes[i] == cr {
        i += 1
        if i < n, bytes[i] == lf { i += 1 }
        line += 1
      } else if i < n, bytes[i] == lf {
        i += 1
        line += 1
      }
    }

    while i < n {
      let recordLine = line
      var fields: [String] = []
      var onlyBlank = true  // a single empty unquoted field: a blank line
      recordLoop: while true {
        field.removeAll(keepingCapacity: true)
        // Leading blanks before a quote are not part of the field.
        var j = i
        while j < n, bytes[j] == space || bytes[j] == tab { j += 1 }
        if j < n, bytes[j] == quote {
          onlyBlank = false
          let openLine = line
          i = j + 1
          while true {
            guard i < n else { throw .unterminatedQuote(file: file, line: openLine) }
            let c = bytes[i]
            if c == quote {
              if i + 1 < n, bytes[i + 1] == quote {
                field.append(quote)
                i += 2
              } else {
                i += 1
                break
              }
            } else {
              if c == lf || (c == cr && !(i + 1 < n && bytes[i + 1] == lf)) { line += 1 }
              field.append(c)
              i += 1
            }
          }
          while i < n, bytes[i] == space || bytes[i] == tab { i += 1 }
          if i < n, bytes[i] != comma, bytes[i] != lf, bytes[i] != cr {
            throw .textAfterQuote(file: file, line: line)
          }
          fields.append(String(decoding: field, as: UTF8.self))
        } else {
          while i < n, bytes[i] != comma, bytes[i] != lf, bytes[i] != cr {
            field.append(bytes[i])
            i += 1
          }
          var lo = 0, hi = field.count
          while lo < hi, field[lo] == space || field[lo] == tab { lo += 1 }
          while hi > lo, field[hi - 1] == space || field[hi - 1] == tab { hi -= 1 }
          if hi > lo { onlyBlank = false }
          fields.append(String(decoding: field[lo..<hi], as: UTF8.self))
        }
        if i < n, bytes[i] == comma {
          onlyBlank = false
          i += 1
          continue recordLoop
        }
        consumeNewline(&i, &line)
        break recordLoop
      }
      if !(onlyBlank && fields.count == 1) {
        records.append(CSVRecord(fields: fields, line: recordLine))
      }
    }
    return records
  }
}
