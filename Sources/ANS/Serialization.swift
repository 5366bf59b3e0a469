import Bytes
/// Serialization of a `Message` to bytes and back.
///
/// Format (version 1, little-endian):
///
///     u8      version (= 1)
///     varint  laneCount (1…4096)
///     varint  seed
///     varint  initialWordsDrawn
///     varint  wordCount
///     u64 × laneCount   heads (each ≥ 2^32)
///     u32 × wordCount   stack words, bottom first
///     u32     CRC-32 of all preceding bytes
///
/// `serializedByteCount` equals `serialized().count` exactly and is O(1). Decoding validates every
/// field and the checksum and throws `ANSError` (never traps) on truncated or corrupt input.
///
/// This is the format of one stream: a message of several streams is written by `serializeStreams(into:)`
/// (`MessageStreams.swift`), each stream in this format; `serialized()` and `serialize(into:)` are for
/// messages of one stream and stop the program on more (writing stream 0 alone would lose the others).
extension Message {
    public static let formatVersion: UInt8 = 1

    /// Exact size in bytes of `serialized()`.
    public var serializedByteCount: Int {
        1 + ByteWriter.varintSize(UInt64(laneCount)) + ByteWriter.varintSize(seed)
            + ByteWriter.varintSize(initialWordsDrawn) + ByteWriter.varintSize(UInt64(wordCount))
            + 8 * laneCount + 4 * wordCount + 4
    }

    /// Exact size in bits of `serialized()` (8 × `serializedByteCount`).
    public var serializedBitCount: Int { 8 * serializedByteCount }

    /// The message as bytes (see the format above).
    public func serialized() -> [UInt8] {
        var writer = ByteWriter(reservingCapacity: serializedByteCount)
        serialize(into: &writer)
        return writer.bytes
    }

    /// Appends `serialized()` to `writer`, growing it once (a payload's header and its message in one
    /// buffer, without a second copy of a large message).
    public func serialize(into writer: inout ByteWriter) {
        precondition(streams.isEmpty, "a message of several streams is written by serializeStreams(into:)")
        let start = writer.bytes.count
        writer.reserveCapacity(start + serializedByteCount)
        writer.append(Self.formatVersion)
        writer.appendVarint(UInt64(laneCount))
        writer.appendVarint(seed)
        writer.appendVarint(initialWordsDrawn)
        writer.appendVarint(UInt64(wordCount))
        for h in heads { writer.append(h) }
        for w in words[0..<wordCount] { writer.append(w) }
        writer.append(writer.bytes.withUnsafeBufferPointer { CRC32.checksum(UnsafeBufferPointer(rebasing: $0[start...])) })
    }

    /// Where the stack words begin in the bytes of `serialized()` (after the header and the heads) and how
    /// many the message holds, read from the header alone: what a payload needs to leave words out of a
    /// stored message and put them back before reading it (`BitsBackCoder`'s borrowing chains).
    /// - Throws: `ANSError.truncated` or `.corrupt` for a header that cannot be read.
    public static func serializedWordLayout(of bytes: [UInt8]) throws -> (wordsOffset: Int, wordCount: Int) {
        var reader = ByteReader(bytes)
        do {
            let header = try readHeader(&reader)
            guard header.wordCount <= UInt64(Int32.max) else { throw ANSError.corrupt("word count \(header.wordCount)") }
            return (reader.offset + 8 * header.laneCount, Int(header.wordCount))
        } catch is ByteReaderError {
            throw ANSError.truncated(needed: reader.offset + 1, available: bytes.count)
        }
    }

    /// The header of `serialized()`: version (checked), lane count (checked), seed, initial words drawn and
    /// word count.
    private static func readHeader(_ reader: inout ByteReader) throws
        -> (laneCount: Int, seed: UInt64, drawn: UInt64, wordCount: UInt64)
    {
        let version = try reader.readUInt8()
        guard version == Self.formatVersion else { throw ANSError.corrupt("unsupported format version \(version)") }
        let lanes = try reader.readVarint()
        guard (1...4096).contains(lanes) else { throw ANSError.corrupt("lane count \(lanes) not in 1...4096") }
        return (Int(lanes), try reader.readVarint(), try reader.readVarint(), try reader.readVarint())
    }

    /// Reads a message written by `serialized()`. Throws `ANSError.truncated` or `.corrupt`.
    /// - Parameter verifyingChecksum: false only to fuzz what lies behind the CRC (every other check stays).
    public init(serialized bytes: [UInt8], verifyingChecksum: Bool = true) throws {
        var reader = ByteReader(bytes)
        do {
            let (laneCount, seed, drawn, count) = try Self.readHeader(&reader)
            // Far beyond any file (2^63 words drawn), and a decoder's `drawn += 1` must not overflow.
            guard drawn <= UInt64(Int64.max) else { throw ANSError.corrupt("\(drawn) initial words drawn") }
            // Checked before anything is allocated: the heads, the words and the CRC must all be there.
            guard count <= UInt64(reader.remaining) / 4, 8 * laneCount + 4 * Int(count) + 4 <= reader.remaining else {
                throw ANSError.truncated(
                    needed: reader.offset + 8 * laneCount + 4 * Int(clamping: Swift.min(count, UInt64(Int.max / 8))) + 4,
                    available: bytes.count)
            }
            let wordCount = Int(count)
            var heads = [UInt64](repeating: 0, count: laneCount)
            for l in 0..<laneCount {
                heads[l] = try reader.readUInt64()
                guard heads[l] >= Message.stateLowerBound else { throw ANSError.corrupt("lane \(l) state below 2^32") }
            }
            var words = [UInt32](repeating: 0, count: wordCount)
            for i in 0..<wordCount { words[i] = try reader.readUInt32() }
            let end = reader.offset
            let stored = try reader.readUInt32()
            let computed = bytes.withUnsafeBufferPointer { CRC32.checksum(UnsafeBufferPointer(rebasing: $0[0..<end])) }
            guard stored == computed || !verifyingChecksum else { throw ANSError.corrupt("checksum mismatch") }
            guard reader.isAtEnd else { throw ANSError.corrupt("\(reader.remaining) trailing bytes") }
            self.init(laneCount: laneCount, seed: seed, heads: heads, words: words, initialWordsDrawn: drawn)
        } catch let error as ByteReaderError {
            switch error {
            case .truncated: throw ANSError.truncated(needed: reader.offset + 1, available: bytes.count)
            case .varintTooLong, .valueAboveLimit: throw ANSError.corrupt("varint too long")
            }
        }
    }
}
