/// FNV-1a over the text's UTF-8 bytes: a hash that is the same in every process and on every
/// machine (Swift's `Hasher` is seeded per process), for keys stored in trials and for
/// assignments that workers must agree on.
func stableHash(_ text: String) -> UInt64 {
  var h: UInt64 = 0xCBF2_9CE4_8422_2325
  for byte in text.utf8 {
    h ^= UInt64(byte)
    h = h &* 0x0000_0100_0000_01B3
  }
  return h
}
