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
/// Beyond the RFC: another single-byte delimiter may stand for the comma (`;`, tab, `|`), with
/// the same quoting; a UTF-8 byte order mark is skipped, blank lines are skipped (they still
/// count for line numbers), and unquoted fields lose surrounding spaces and tabs (except the
/// delimiter itself, when it is a space or a tab).
enum CSVReader {
  /// The records of `bytes`, fields separated by `delimiter` (an ASCII byte other than a double
  /// quote, CR or LF; `CSVOptions.delimiterByte` checks one).
  static func records(
    _ bytes: [UInt8], file: String, delimiter: UInt8 = UInt8(ascii: ",")
  ) throws(CSVError) -> [CSVRecord] {
    let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
    let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
    /// A space or tab around a field; one that separates fields is not.
    func isBlank(_ b: UInt8) -> Bool { (b == space || b == tab) && b != delimiter }
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
        while j < n, isBlank(bytes[j]) { j += 1 }
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
          while i < n, isBlank(bytes[i]) { i += 1 }
          if i < n, bytes[i] != delimiter, bytes[i] != lf, bytes[i] != cr {
            throw .textAfterQuote(file: file, line: line)
          }
          fields.append(String(decoding: field, as: UTF8.self))
        } else {
          while i < n, bytes[i] != delimiter, bytes[i] != lf, bytes[i] != cr {
            field.append(bytes[i])
            i += 1
          }
          var lo = 0, hi = field.count
          while lo < hi, isBlank(field[lo]) { lo += 1 }
          while hi > lo, isBlank(field[hi - 1]) { hi -= 1 }
          if hi > lo { onlyBlank = false }
          fields.append(String(decoding: field[lo..<hi], as: UTF8.self))
        }
        if i < n, bytes[i] == delimiter {
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
