import XCTest
@testable import BitsBack
import Bytes
import Imaging
import PixelCoding

/// Payload version 5 (`ChainGroup`): a dataset cut into chains, all but the first starting on words the
/// first lends them. Exact round trips, random access to every image (the lender's first images need
/// their borrowers), thread independence, and the checks a damaged group meets.
final class BorrowingChainsTests: XCTestCase {
    static let steps = 2

    /// Twelve 12×10 images: with chains of three images (`chainPixels` 360), a lender of six and two
    /// borrowers of three.
    static func images() throws -> [ModelImage] {
        try (0..<12).map { try BitsBackCoderTests.image(width: 12, height: 10, seed: UInt64(20 + $0)) }
    }

    static func coder(threads: Int = 1, chainPixels: Int? = 3 * 120) throws -> BitsBackCoder {
        let coder = try BitsBackCoder(
            prior: try BitsBackCoderTests.calibratedPrior("tiny_lv"), parameters: ChainParameters(steps: steps),
            threads: threads)
        coder.laneCap = BitsBackCoder.datasetLaneCap
        coder.chainPixels = chainPixels
        return coder
    }

    /// The group fields of a version-5 payload.
    static func group(of payload: [UInt8], imageCount: Int) throws -> ChainGroup {
        var reader = ByteReader(payload)
        let parameters = try ChainParameters.decode(from: &reader)
        XCTAssertEqual(parameters.version, ChainParameters.groupVersion)
        return try ChainGroup.read(from: &reader, imageCount: imageCount, maxWords: payload.count)
    }

    func testAGroupRoundTripsAndItsBorrowersTakeWords() throws {
        let images = try Self.images()
        let coder = try Self.coder()
        let (payload, report) = try coder.encodeMeasuring(images, progress: nil)
        let group = try Self.group(of: payload, imageCount: images.count)
        XCTAssertEqual(group.imageCounts, [6, 3, 3])
        XCTAssertTrue(group.loans.allSatisfy { $0.taken > 0 }, "\(group.loans)")
        XCTAssertTrue(group.loans.allSatisfy { $0.lenderImages >= 1 }, "\(group.loans)")
        XCTAssertEqual(try coder.decode(payload, shapes: images.map { $0.shape(steps: Self.steps) }, progress: nil), images)
        // The borrowers drew no initial bits at all (their heads take a word of the loan each): only the
        // lender's own, as its chain alone draws them (one lane either way).
        let lender = try Self.coder(chainPixels: nil).encodeMeasuring(Array(images[0..<6]), progress: nil).report
        XCTAssertEqual(report.initialBits, lender.initialBits)
    }

    func testEveryImageComesBackAlone() throws {
        let images = try Self.images()
        let coder = try Self.coder()
        let payload = try coder.encode(images, progress: nil)
        let shapes = images.map { $0.shape(steps: Self.steps) }
        let chains = try Self.group(of: payload, imageCount: images.count).ranges
        for i in images.indices {
            let decoded = try coder.decode(payload, shapes: shapes, wanted: [i], progress: nil)
            XCTAssertEqual(decoded[i], images[i], "image \(i)")
            // Only its own chain (from the image on) and, for the lender's first images, whole borrowers.
            let chain = chains.first { $0.contains(i) }!
            XCTAssertTrue(decoded[chain.lowerBound..<i].allSatisfy { $0 == nil }, "image \(i)")
            for (j, image) in decoded.enumerated() where image != nil { XCTAssertEqual(image, images[j]) }
        }
    }

    func testTheThreadCountDoesNotChangeTheBytes() throws {
        let images = try Self.images()
        let one = try Self.coder(threads: 1).encode(images, progress: nil)
        let three = try Self.coder(threads: 3).encode(images, progress: nil)
        XCTAssertEqual(one, three)
        XCTAssertEqual(
            try Self.coder(threads: 2).decode(three, shapes: images.map { $0.shape(steps: Self.steps) }, progress: nil), images)
    }

    /// A lender longer than the images that size its loans (`ChainGroup.probeImages`): the borrowers are
    /// coded beside the rest of it, on words it has by then, with the bytes of any thread count.
    func testBorrowersCodedBesideTheRestOfALongLender() throws {
        let images = try (0..<40).map { try BitsBackCoderTests.image(width: 8, height: 8, seed: UInt64(60 + $0)) }
        let shapes = images.map { $0.shape(steps: Self.steps) }
        let one = try Self.coder(threads: 1, chainPixels: 10 * 64).encode(images, progress: nil)
        let three = try Self.coder(threads: 3, chainPixels: 10 * 64).encode(images, progress: nil)
        XCTAssertEqual(one, three)
        let group = try Self.group(of: one, imageCount: images.count)
        XCTAssertEqual(group.imageCounts.first, 20)
        XCTAssertGreaterThan(group.imageCounts.count, 1)
        XCTAssertTrue(group.loans.allSatisfy { $0.words > 0 }, "\(group.loans)")
        let coder = try Self.coder(threads: 2, chainPixels: 10 * 64)
        XCTAssertEqual(try coder.decode(one, shapes: shapes, progress: nil), images)
        for i in [0, 5, 19, 20, 39] {
            XCTAssertEqual(try coder.decode(one, shapes: shapes, wanted: [i], progress: nil)[i], images[i], "image \(i)")
        }
    }

    func testOneChainIsWrittenAsBefore() throws {
        let images = Array(try Self.images().prefix(4))
        XCTAssertEqual(
            try Self.coder().encode(images, progress: nil), try Self.coder(chainPixels: nil).encode(images, progress: nil))
    }

    /// A group whose loans say that no lender image reads a hole: a random access to the lender's first
    /// image then reads words it does not have, and must say so instead of returning a wrong image.
    func testALenderThatReadsAHoleItWasToldItWouldNotReadFails() throws {
        let images = try Self.images()
        let coder = try Self.coder()
        let payload = try coder.encode(images, progress: nil)
        var group = try Self.group(of: payload, imageCount: images.count)
        var writer = ByteWriter()
        group.write(to: &writer)
        let fieldsLength = writer.bytes.count
        for b in group.loans.indices { group.loans[b].lenderImages = 0 }
        var rewritten = ByteWriter()
        group.write(to: &rewritten)
        XCTAssertEqual(rewritten.bytes.count, fieldsLength)
        let start = ChainParameters(steps: Self.steps).encoded.count
        let hostile = Array(payload[..<start]) + rewritten.bytes + Array(payload[(start + fieldsLength)...])
        let shapes = images.map { $0.shape(steps: Self.steps) }
        XCTAssertThrowsError(try coder.decode(hostile, shapes: shapes, wanted: [0], progress: nil)) {
            XCTAssertTrue("\($0)".contains("lent to a chain not decoded"), "\($0)")
        }
        // Decoded whole, the lender's images that the group says read no hole are decoded beside the
        // borrowers, before the holes are filled: the decode fails too, never with wrong images.
        XCTAssertThrowsError(try coder.decode(hostile, shapes: shapes, progress: nil))
        // The same with the first borrower wanted from its first image as well: its hole is then filled in
        // the lender's bytes, but the lender's images above the one wanted are decoded beside it, before.
        let deepest = try Self.group(of: payload, imageCount: images.count).loans.map(\.lenderImages).max()! - 1
        let firstBorrower = try Self.group(of: payload, imageCount: images.count).ranges[1].lowerBound
        XCTAssertThrowsError(try coder.decode(hostile, shapes: shapes, wanted: [deepest, firstBorrower], progress: nil)) {
            XCTAssertTrue("\($0)".contains("lent to a chain not decoded"), "\($0)")
        }
        // The honest payload, image by image and whole, decodes.
        XCTAssertEqual(try coder.decode(payload, shapes: shapes, wanted: [0], progress: nil)[0], images[0])
    }

    func testDamagedGroupsNeverDecodeSilently() throws {
        let images = try Self.images()
        let coder = try Self.coder()
        let payload = try coder.encode(images, progress: nil)
        let shapes = images.map { $0.shape(steps: Self.steps) }
        var wrong = 0
        for index in stride(from: 0, to: payload.count, by: max(1, payload.count / 60)) {
            var damaged = payload
            damaged[index] ^= 0x10
            if let decoded = try? coder.decode(damaged, shapes: shapes, progress: nil), decoded != images { wrong += 1 }
        }
        XCTAssertEqual(wrong, 0, "a damaged payload decoded to wrong images without an error")
    }

    /// A lender of one image measures no need (its only image is its ramp): one chain, as before.
    func testALenderThatCannotLendGivesOneChain() throws {
        let images = Array(try Self.images().prefix(3))
        XCTAssertEqual(
            try Self.coder(chainPixels: 60).encode(images, progress: nil),
            try Self.coder(chainPixels: nil).encode(images, progress: nil))
    }

    /// Where the lender cannot lend to every proposed chain, the images after it are cut evenly into as
    /// many chains as it can; where it cannot lend to one, none.
    func testBorrowersAreAsManyAsTheLenderCanLendTo() {
        let areas = [Int](repeating: 100, count: 10)
        let proposed = [2..<4, 4..<6, 6..<8, 8..<10]
        // A loan of 100 pixels at 3.2 bits each (with the margin): ⌈11.5⌉ + 2 = 14 words.
        let all = ChainGroup.borrowers(after: 0..<2, proposed: proposed, areas: areas, needPerPixel: 3.2, lenderWords: 112)
        XCTAssertEqual(all?.map(\.chain), proposed)
        XCTAssertEqual(all?.map(\.words), [14, 14, 14, 14])
        let two = ChainGroup.borrowers(after: 0..<2, proposed: proposed, areas: areas, needPerPixel: 3.2, lenderWords: 60)
        XCTAssertEqual(two?.map(\.chain), [2..<6, 6..<10])
        XCTAssertNil(ChainGroup.borrowers(after: 0..<2, proposed: proposed, areas: areas, needPerPixel: 3.2, lenderWords: 27))
        XCTAssertEqual(ChainGroup.evenly(0..<3, into: 3, areas: [1, 1, 100]), [0..<1, 1..<2, 2..<3])
        XCTAssertEqual(ChainGroup.evenly(0..<3, into: 2, areas: [100, 1, 1]), [0..<1, 1..<3])
        XCTAssertEqual(ChainGroup.evenly(2..<10, into: 3, areas: areas), [2..<5, 5..<8, 8..<10])
    }

    func testLoansThatDoNotFitAreRefused() throws {
        var writer = ByteWriter()
        ChainGroup(
            imageCounts: [2, 2], loans: [ChainGroup.Loan(words: 10, untouched: 11, lenderImages: 0)]
        ).write(to: &writer)
        var reader = ByteReader(writer.bytes)
        XCTAssertThrowsError(try ChainGroup.read(from: &reader, imageCount: 4, maxWords: 100))
        var counts = ByteWriter()
        ChainGroup(imageCounts: [2, 3], loans: [ChainGroup.Loan(words: 0, untouched: 0, lenderImages: 0)]).write(to: &counts)
        var countsReader = ByteReader(counts.bytes)
        XCTAssertThrowsError(try ChainGroup.read(from: &countsReader, imageCount: 4, maxWords: 100))
        var big = ByteWriter()
        ChainGroup(imageCounts: [2, 2], loans: [ChainGroup.Loan(words: 101, untouched: 0, lenderImages: 0)]).write(to: &big)
        var bigReader = ByteReader(big.bytes)
        XCTAssertThrowsError(try ChainGroup.read(from: &bigReader, imageCount: 4, maxWords: 100))
    }
}
