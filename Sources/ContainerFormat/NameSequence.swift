/// The naming rule that lets a version-2 container store a numbered file name in one tag byte:
/// "img_0100.png" follows "img_0099.png", "cifar_00001.png" follows "cifar_00000.png".
///
/// The successor of a name is the name with its last run of ASCII digits incremented by one, keeping
/// the run's width. Names work on UTF-8 bytes, never on `String` comparison (Swift compares strings by
/// canonical equivalence, and a restored file name must have exactly its original bytes); an ASCII digit
/// byte never occurs inside a multi-byte UTF-8 sequence, so the successor of valid UTF-8 is valid UTF-8.
enum NameSequence {
    /// `name` with its last run of ASCII digits incremented by one at the same width, or nil when
    /// `name` has no digit or the run is all nines ("a9.png" has no successor: "a10.png" is longer).
    static func successor(of name: [UInt8]) -> [UInt8]? {
        guard let last = name.lastIndex(where: isDigit) else { return nil }
        var result = name
        var index = last
        while true {
            if result[index] < UInt8(ascii: "9") {
                result[index] += 1
                return result
            }
            result[index] = UInt8(ascii: "0")
            guard index > result.startIndex, isDigit(result[index - 1]) else { return nil }
            index -= 1
        }
    }

    /// Whether `name` is exactly the successor of `previous`.
    static func follows(_ name: [UInt8], _ previous: [UInt8]) -> Bool {
        name.count == previous.count && successor(of: previous) == name
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
}
