import ExactMath
import Bytes
import XCTest
@testable import ANS

final class MessageTests: XCTestCase {
    func testUniformRoundTripAndExactRestore() throws {
        var rng = SplitMix64(seed: 1)
        for lanes in [1, 3, 32] {
            for bits in [1, 7, 16, 31, 32] {
                let start = try randomMessage(laneCount: lanes, words: 5, seed: UInt64(lanes * 100 + bits))
                var m = start
                let n = Int.random(in: 0..<300, using: &rng)
                let mask: UInt32 = bits == 32 ? .max : (1 << UInt32(bits)) - 1
                let symbols = (0..<n).map { _ in UInt32.random(in: 0...UInt32.max, using: &rng) & mask }
                try m.pushUniform(symbols, bits: bits)
                XCTAssertEqual(try m.popUniform(count: n, bits: bits), symbols)
                XCTAssertEqual(m, start, "pop(push(m, x)) must restore m exactly")
            }
        }
    }

    func testPushOfPopRestoresRandomStacks() throws {
        // push(pop(m)) == m, including stacks whose pops run past the bottom into the initial bits.
        var rng = SplitMix64(seed: 2)
        let table = try CategoricalDistribution(
            frequencies: randomFrequencies(count: 40, precision: 12, rng: &rng), precision: 12)
        for trial in 0..<20 {
            let start = try randomMessage(laneCount: 1 + trial % 9, words: trial * 3, seed: UInt64(trial))
            var m = start
            let n = Int.random(in: 1..<500, using: &rng)
            let popped = try m.pop(count: n, with: table)
            try m.push(popped, with: table)
            XCTAssertEqual(m, start, "trial \(trial)")
        }
    }

    func testPopFromEmptyStackDrawsCountedInitialBits() throws {
        var m = try Message(laneCount: 4, seed: 7)
        XCTAssertEqual(m.initialWordsDrawn, 8, "fresh heads draw 2 words per lane")
        XCTAssertEqual(m.wordCount, 0)
        let fresh = m
        let x = try m.popUniform(count: 100, bits: 32)
        XCTAssertEqual(m.initialWordsDrawn, 108)
        XCTAssertEqual(m.initialBitsDrawn, 108 * 32)
        // Deterministic: same seed, same bits.
        var m2 = try Message(laneCount: 4, seed: 7)
        XCTAssertEqual(try m2.popUniform(count: 100, bits: 32), x)
        // A different seed gives different bits.
        var m3 = try Message(laneCount: 4, seed: 8)
        XCTAssertNotEqual(try m3.popUniform(count: 100, bits: 32), x)
        // Pushing them back returns the words to the source.
        try m.pushUniform(x, bits: 32)
        XCTAssertEqual(m, fresh)
        XCTAssertEqual(m.initialWordsDrawn, 8)
    }

    func testSerializationRoundTripAndByteCount() throws {
        var rng = SplitMix64(seed: 3)
        for lanes in [1, 2, 17, 64] {
            var m = try randomMessage(laneCount: lanes, words: Int.random(in: 0..<200, using: &rng), seed: UInt64(lanes))
            _ = try m.popUniform(count: 50, bits: 9)
            let bytes = m.serialized()
            XCTAssertEqual(bytes.count, m.serializedByteCount)
            XCTAssertEqual(m.serializedBitCount, 8 * bytes.count)
            let back = try Message(serialized: bytes)
            XCTAssertEqual(back, m)
            var a = m, b = back
            XCTAssertEqual(try a.popUniform(count: 300, bits: 32), try b.popUniform(count: 300, bits: 32))
        }
    }

    func testCorruptOrTruncatedBytesThrow() throws {
        var m = try randomMessage(laneCount: 3, words: 40, seed: 4)
        _ = try m.popUniform(count: 5, bits: 3)
        let bytes = m.serialized()
        for cut in 0..<bytes.count {
            XCTAssertThrowsError(try Message(serialized: Array(bytes[0..<cut])), "truncated at \(cut)")
        }
        var rng = SplitMix64(seed: 5)
        for i in 0..<bytes.count {
            var bad = bytes
            bad[i] ^= UInt8.random(in: 1...255, using: &rng)
            XCTAssertThrowsError(try Message(serialized: bad), "corrupted byte \(i)")
        }
        XCTAssertThrowsError(try Message(serialized: bytes + [0]))
        XCTAssertThrowsError(try Message(serialized: []))
        // Random garbage never crashes.
        for _ in 0..<2000 {
            let garbage = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = try? Message(serialized: garbage)
        }
        XCTAssertThrowsError(try Message(serialized: [1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]))
        // A header that says 2^64 − 1 initial words were drawn: refused (a decoder's next draw would overflow).
        var writer = ByteWriter()
        writer.append(Message.formatVersion)
        writer.appendVarint(1)
        writer.appendVarint(0)
        writer.appendVarint(.max)
        writer.appendVarint(0)
        writer.append(UInt64(1) << 32)
        writer.append(writer.bytes.withUnsafeBufferPointer { CRC32.checksum(UnsafeBufferPointer(rebasing: $0[0...])) })
        XCTAssertThrowsError(try Message(serialized: writer.bytes)) {
            XCTAssertTrue("\($0)".contains("initial words drawn"), "\($0)")
        }
    }

    /// A message that starts on a loan gives it back exactly once popped to its end.
    func testABorrowingMessageStartsOnItsLoanAndReadsItBack() throws {
        let loan: [UInt32] = [7, 0xFFFF_FFFF, 12, 0x8000_0001]
        let message = try Message(laneCount: 2, seed: 0, borrowing: loan)
        XCTAssertEqual(Array(message.stackWords), [7, 0xFFFF_FFFF])
        XCTAssertEqual(message.initialWordsDrawn, 0)
        XCTAssertEqual(message.loanItStartedFrom, loan)
        XCTAssertThrowsError(try Message(laneCount: 2, seed: 0, borrowing: [1]))
        var coded = message
        try coded.pushUniform([3, 1, 2], bits: 2)
        XCTAssertNotEqual(coded.loanItStartedFrom, loan)
        XCTAssertEqual(try coded.popUniform(count: 3, bits: 2), [3, 1, 2])
        XCTAssertEqual(coded, message)
        XCTAssertEqual(coded.loanItStartedFrom, loan)
    }

    func testInvalidParametersThrow() throws {
        XCTAssertThrowsError(try Message(laneCount: 0))
        var m = try Message(laneCount: 2)
        XCTAssertThrowsError(try m.pushUniform([4], bits: 2))
        XCTAssertThrowsError(try m.pushUniform([0], bits: 0))
        XCTAssertThrowsError(try m.popUniform(count: 1, bits: 33))
    }
}
