import Foundation
import XCTest
@testable import Codec
@testable import ContainerFormat
import BitsBack
import ContextCoding
import PixelCoding
import Imaging
import TestSupport

final class ArchiveTests: XCTestCase {
    func testEveryKindRoundTripsThroughTheStoredCoder() throws {
        var images: [NamedImage] = []
        for (index, (colorType, depth)) in allKinds.enumerated() {
            for interlaced in [false, true] {
                let image = try makeImage(
                    colorType, bitDepth: depth, width: 33, height: 47, seed: UInt64(index),
                    interlaced: interlaced, chunks: index % 2 == 0 ? colorChunks() : [])
                images.append(NamedImage(name: "image\(index)-\(interlaced).png", image: image))
            }
        }
        let bytes = try Archive.compress(images, coder: StoredPixelCoder(), isDataset: true).serialized()
        let restored = try Archive.decompress(Container(parsing: bytes), coder: StoredPixelCoder())
        XCTAssertEqual(restored, images)
        // And each restored image survives PNG writing and reading.
        for named in restored { XCTAssertEqual(try RasterImage(pngData: named.image.pngData()), named.image) }
    }

    /// Issue 15, finding 4: compress wrote archives that decompress refuses. Every limit the reader
    /// checks is checked by the writer first, with the same `ImageLimits`.
    func testCompressRefusesWhatDecompressWouldRefuse() throws {
        let image = try makeImage(.rgb, bitDepth: 8, width: 2, height: 3)
        let two = [NamedImage(name: "a.png", image: image), NamedImage(name: "b.png", image: image)]
        // Total pixels: 12 in all against a limit of 11.
        let tight = ImageLimits(maxPixels: 6, maxTotalPixels: 11)
        XCTAssertThrowsError(try Archive.compress(two, coder: StoredPixelCoder(), isDataset: true, limits: tight)) {
            guard case .limitExceeded? = $0 as? ContainerError else { return XCTFail("\($0)") }
        }
        let bytes = try Archive.compress(two, coder: StoredPixelCoder(), isDataset: true).serialized()
        XCTAssertThrowsError(try Container(parsing: bytes, limits: tight))
        // Work: the reader's allowance, checked by the writer on the payload it made.
        let noWork = ImageLimits(maxWork: 0, workPerPayloadByte: 0)
        XCTAssertThrowsError(try Archive.compress(two, coder: StoredPixelCoder(), isDataset: true, limits: noWork)) {
            guard case .workLimitExceeded? = $0 as? ContainerError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try Container(parsing: bytes, limits: noWork)) {
            guard case .workLimitExceeded? = $0 as? ContainerError else { return XCTFail("\($0)") }
        }
        // Dataset names outside EntryName's rule.
        for name in ["sub/\u{0301}x.png", "esc\u{1B}.png", ".."] {
            XCTAssertThrowsError(
                try Archive.compress([NamedImage(name: name, image: image)], coder: StoredPixelCoder(), isDataset: true))
        }
    }

    /// Kept PNG chunks above the side-plane limit (nine 7.5 MB gAMA chunks once made a file that
    /// decompress called corrupted) are refused before coding.
    func testKeptChunksAboveTheSidePlaneLimitAreRefused() throws {
        let header = ImageHeader(width: 1, height: 1, colorType: .rgb, bitDepth: 8, isInterlaced: false)
        let plane = SidePlane(kind: .chunks, bytes: [UInt8](repeating: 0, count: Container.maxChunksPlaneBytes + 1))
        let record = ContainerImage(name: "a.png", header: header, steps: 0, sidePlanes: [plane])
        XCTAssertThrowsError(try Container.checkWritable([record], isDataset: false, limits: .standard)) {
            guard case .limitExceeded(let text)? = $0 as? ContainerError else { return XCTFail("\($0)") }
            XCTAssertTrue(text.contains("side plane"), text)
        }
        let fits = ContainerImage(
            name: "a.png", header: header, steps: 0,
            sidePlanes: [SidePlane(kind: .chunks, bytes: [UInt8](repeating: 0, count: 1000))])
        XCTAssertNoThrow(try Container.checkWritable([fits], isDataset: false, limits: .standard))
    }

    func testCorruptPixelsAreCaughtByTheDigest() throws {
        let images = [
            NamedImage(name: "x.png", image: try makeImage(.rgb, bitDepth: 8, width: 4, height: 4)),
            NamedImage(name: "y.png", image: try makeImage(.rgb, bitDepth: 16, width: 3, height: 2)),
        ]
        let container = try Archive.compress(images, coder: FlippingCoder(), isDataset: true)
        let parsed = try Container(parsing: container.serialized())
        for candidate in [container, parsed] {
            XCTAssertThrowsError(try Archive.decompress(candidate, coder: FlippingCoder())) {
                XCTAssertEqual($0 as? ArchiveError, .pixelDigestMismatch)
            }
        }
        XCTAssertEqual(try Archive.decompress(parsed, coder: StoredPixelCoder()), images)
    }

    /// Version-1 files still name the image whose pixels are wrong.
    func testCorruptPixelsOfAVersion1FileAreCaughtByTheirChecksum() throws {
        let image = try makeImage(.rgb, bitDepth: 8, width: 4, height: 4)
        let bytes = try Version1Writer.bytes([NamedImage(name: "x.png", image: image)], coder: FlippingCoder(), isDataset: false)
        XCTAssertThrowsError(try Archive.decompress(Container(parsing: bytes), coder: FlippingCoder())) {
            XCTAssertEqual($0 as? ArchiveError, .pixelChecksumMismatch(name: "x.png"))
        }
    }

    func testModelAndCoderMismatchesAreErrors() throws {
        let image = try makeImage(.rgb, bitDepth: 8, width: 2, height: 2)
        let container = try Archive.compress(
            [NamedImage(name: "x.png", image: image)],
            coder: FakeModelCoder(hash: [UInt8](repeating: 1, count: 32)), isDataset: false)
        XCTAssertEqual(container.images[0].steps, 7)
        XCTAssertThrowsError(try Archive.decompress(container, coder: FakeModelCoder(hash: [UInt8](repeating: 2, count: 32)))) {
            error in
            guard case .modelMismatch? = error as? ArchiveError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try Archive.decompress(container, coder: StoredPixelCoder())) { error in
            XCTAssertEqual(error as? ArchiveError, .coderMismatch(container: .bitsBack, given: .stored))
        }
        XCTAssertEqual(
            try Archive.decompress(container, coder: FakeModelCoder(hash: [UInt8](repeating: 1, count: 32)))[0].image, image)
    }

    func testKodakImagesRoundTrip() throws {
        let names = ["kodim01.png", "kodim13.png", "kodim23.png"]
        let kodak = try sharedCorpus("kodak")
        let paths = names.map { kodak + "/" + $0 }
        guard let first = FileManager.default.contents(atPath: paths[0]) else { throw XCTSkip("missing \(paths[0])") }
        var images = [NamedImage(name: names[0], image: try RasterImage(pngData: Array(first)))]
        for (name, path) in zip(names, paths).dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { throw XCTSkip("missing \(path)") }
            images.append(NamedImage(name: name, image: try RasterImage(pngData: Array(data))))
        }
        for named in images {
            XCTAssertEqual(named.image.colorType, .rgb)
            XCTAssertEqual(named.image.bitDepth, 8)
            XCTAssertEqual(named.image.pixelCount, 768 * 512)
        }
        let bytes = try Archive.compress(images, coder: StoredPixelCoder(), isDataset: true).serialized()
        XCTAssertEqual(try Archive.decompress(Container(parsing: bytes), coder: StoredPixelCoder()), images)
    }
}

/// `auto` on gray images: the prior's coders are not run when another coder is offered (they code gray as
/// three equal planes and lose by far, at minutes per megapixel); on colour images, or alone, they are.
final class AutoCandidateTests: XCTestCase {
    func testGrayImagesSkipThePriorWhenAnotherCoderIsOffered() throws {
        for colorType in [PNGColorType.gray, .grayAlpha] {
            let calls = CallCounter()
            let images = [NamedImage(name: "g.png", image: try makeImage(colorType, bitDepth: 8, width: 9, height: 5))]
            let result = try Archive.compressSmallest(
                images, coders: [CountingPriorCoder(calls: calls), StoredPixelCoder()], isDataset: false)
            XCTAssertEqual(calls.count, 0, "\(colorType)")
            XCTAssertEqual(result.coder.kind, .stored)
            XCTAssertEqual(try Archive.decompress(Container(parsing: result.bytes), coder: StoredPixelCoder()), images)
        }
    }

    func testColourImagesAndAPriorOnItsOwnAreStillCoded() throws {
        let calls = CallCounter()
        let rgb = [NamedImage(name: "c.png", image: try makeImage(.rgb, bitDepth: 8, width: 9, height: 5))]
        _ = try Archive.compressSmallest(rgb, coders: [CountingPriorCoder(calls: calls), StoredPixelCoder()], isDataset: false)
        XCTAssertEqual(calls.count, 1)
        let mixed = rgb + [NamedImage(name: "g.png", image: try makeImage(.gray, bitDepth: 8, width: 4, height: 4))]
        _ = try Archive.compressSmallest(mixed, coders: [CountingPriorCoder(calls: calls), StoredPixelCoder()], isDataset: true)
        XCTAssertEqual(calls.count, 2)
        let gray = [NamedImage(name: "g.png", image: try makeImage(.gray, bitDepth: 8, width: 4, height: 4))]
        let alone = try Archive.compressSmallest(gray, coders: [CountingPriorCoder(calls: calls)], isDataset: false)
        XCTAssertEqual(calls.count, 3)
        XCTAssertEqual(alone.coder.kind, .bitsBack)
    }
}

/// `auto` with a coder that can bound its size (`PayloadSizeBounding`, bits-back): it is tried after the
/// others, left out when its bound exceeds the smallest payload so far, and still wins ties by its place.
final class AutoSizeBoundTests: XCTestCase {
    private let images = [NamedImage(name: "c.png", image: try! makeImage(.rgb, bitDepth: 8, width: 9, height: 5))]

    func testACoderWhoseBoundExceedsTheSmallestPayloadIsLeftOut() throws {
        let calls = CallCounter()
        let bounded = CountingPriorCoder(calls: calls, exceeds: true)
        let result = try Archive.compressSmallestReporting(images, coders: [bounded, StoredPixelCoder()], isDataset: false)
        XCTAssertEqual(calls.count, 0, "left out: never encoded")
        XCTAssertEqual(calls.asked, [try Archive.compress(images, coder: StoredPixelCoder(), isDataset: false).payload.count])
        XCTAssertEqual(result.kept.coder.kind, .stored)
        XCTAssertEqual(result.leftOut.map(\.kind), [.bitsBack])
        XCTAssertEqual(try Archive.decompress(Container(parsing: result.kept.bytes), coder: StoredPixelCoder()), images)
    }

    func testACoderWhoseBoundDoesNotExceedIsCodedAndWinsATieByItsPlace() throws {
        let calls = CallCounter()
        // The counting coder stores exactly as `StoredPixelCoder` does: equal payloads, and it comes first.
        let result = try Archive.compressSmallestReporting(
            images, coders: [CountingPriorCoder(calls: calls, exceeds: false), StoredPixelCoder()], isDataset: false)
        XCTAssertEqual(calls.count, 1)
        XCTAssertEqual(calls.asked.count, 1, "asked once, after the stored coder ran")
        XCTAssertTrue(result.leftOut.isEmpty)
        XCTAssertEqual(result.kept.coder.kind, .bitsBack, "first in the coders' order among equal sizes")
    }

    func testABoundIsNotAskedWithoutAnotherCodersSize() throws {
        let calls = CallCounter()
        let result = try Archive.compressSmallestReporting(
            images, coders: [CountingPriorCoder(calls: calls, exceeds: true)], isDataset: false)
        XCTAssertEqual(calls.asked, [])
        XCTAssertEqual(calls.count, 1)
        XCTAssertEqual(result.kept.coder.kind, .bitsBack)
    }
}

/// `auto` with the real coders and the prior's bound estimated: with two threads the bound's first stage
/// runs beside the other trials, and the file and the coders left out are those of one thread, whether
/// the bound leaves bits-back out or leaves the answer open (a wide margin) and bits-back is coded.
final class AutoThreadsTests: XCTestCase {
    func testTwoThreadsChooseAndCodeAsOne() throws {
        let prior = try GoldenFiles.prior()
        let ramp = try makeImage(.rgb, bitDepth: 8, width: 24, height: 20, seed: 1)
        let noise = try RasterImage(
            width: 24, height: 20, colorType: .rgb, bitDepth: 8,
            samples: (0..<24 * 20 * 3).map { UInt8(truncatingIfNeeded: (UInt64($0) &* 0x9E37_79B9_7F4A_7C15) >> 40) })
        for (image, margin, leavesOut) in [(ramp, 0.02, true), (noise, 0.9, false)] {
            let preparedOn = PreparationLog()
            func coders(threads: Int) throws -> [any PixelCoder] {
                let bitsBack = try BitsBackCoder(prior: prior, parameters: ChainParameters(steps: 32), threads: threads)
                bitsBack.boundMinimumPixels = 1
                bitsBack.boundStages = [BitsBackCoder.BoundStage(points: 5, margin: margin)]
                return [
                    RecordingPriorCoder(coder: bitsBack, log: preparedOn), ContextPixelCoder(threads: threads),
                    StoredPixelCoder(),
                ]
            }
            let images = [NamedImage(name: "i.png", image: image)]
            let one = try Archive.compressSmallestReporting(images, coders: try coders(threads: 1), isDataset: false, threads: 1)
            XCTAssertTrue(preparedOn.threads.isEmpty, "one thread: nothing aside")
            let two = try Archive.compressSmallestReporting(images, coders: try coders(threads: 2), isDataset: false, threads: 2)
            XCTAssertEqual(preparedOn.threads.count, 1)
            XCTAssertFalse(preparedOn.threads.first === Thread.current, "two threads: the bound prepared aside")
            XCTAssertEqual(two.kept.bytes, one.kept.bytes)
            XCTAssertEqual(two.leftOut.map(\.kind), one.leftOut.map(\.kind))
            XCTAssertEqual(one.leftOut.map(\.kind) == [.bitsBack], leavesOut, "margin \(margin)")
        }
    }
}

/// The threads a `RecordingPriorCoder`'s bounds were prepared on.
private final class PreparationLog: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Thread] = []
    func record() {
        lock.lock()
        recorded.append(Thread.current)
        lock.unlock()
    }
    var threads: [Thread] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }
}

/// A bits-back coder whose bounds record where they are prepared.
private struct RecordingPriorCoder: PayloadSizeBounding {
    let coder: BitsBackCoder
    let log: PreparationLog
    var kind: PixelCoderKind { coder.kind }
    var modelHash: [UInt8] { coder.modelHash }
    var steps: Int { coder.steps }
    func encode(_ images: [ModelImage], progress: CodingProgress?) throws -> [UInt8] {
        try coder.encode(images, progress: progress)
    }
    func decode(_ payload: [UInt8], shapes: [ModelImageShape], progress: CodingProgress?) throws -> [ModelImage] {
        try coder.decode(payload, shapes: shapes, progress: progress)
    }
    func sizeBound<Images: Collection>(for images: Images) -> any PayloadSizeBound where Images.Element == ModelImage {
        RecordingBound(bound: coder.sizeBound(for: images), log: log)
    }
}

/// A bound that records where it is prepared and answers as `bound`.
private final class RecordingBound: PayloadSizeBound {
    let bound: any PayloadSizeBound
    let log: PreparationLog
    init(bound: any PayloadSizeBound, log: PreparationLog) {
        self.bound = bound
        self.log = log
    }
    func prepare() throws {
        log.record()
        try bound.prepare()
    }
    func surelyExceeds(_ bytes: Int) throws -> Bool { try bound.surelyExceeds(bytes) }
}

/// Counts the encodes of `CountingPriorCoder`.
private final class CallCounter: @unchecked Sendable {
    var count = 0
    /// The sizes a `CountingPriorCoder` was asked about.
    var asked: [Int] = []
}

/// A coder that claims to be the prior's (bits-back) and counts its encodes (it stores with zlib); it
/// answers its size bound with `exceeds` and records the sizes it was asked about.
private struct CountingPriorCoder: PayloadSizeBounding {
    let calls: CallCounter
    var exceeds = false
    var kind: PixelCoderKind { .bitsBack }
    var modelHash: [UInt8] { [UInt8](repeating: 7, count: 32) }
    var steps: Int { 3 }
    func encode(_ images: [ModelImage], progress: CodingProgress?) throws -> [UInt8] {
        calls.count += 1
        return try StoredPixelCoder().encode(images, progress: progress)
    }
    func decode(_ payload: [UInt8], shapes: [ModelImageShape], progress: CodingProgress?) throws -> [ModelImage] {
        try StoredPixelCoder().decode(payload, shapes: shapes, progress: progress)
    }
    func sizeBound<Images: Collection>(for images: Images) -> any PayloadSizeBound where Images.Element == ModelImage {
        AnsweringBound(calls: calls, exceeds: exceeds)
    }
}

/// `CountingPriorCoder`'s bound: it answers `exceeds` and records the sizes it was asked about.
private final class AnsweringBound: PayloadSizeBound {
    let calls: CallCounter
    let exceeds: Bool
    init(calls: CallCounter, exceeds: Bool) {
        self.calls = calls
        self.exceeds = exceeds
    }
    func prepare() throws {}
    func surelyExceeds(_ bytes: Int) throws -> Bool {
        calls.asked.append(bytes)
        return exceeds
    }
}

/// A coder that changes one model pixel on decode: a wrong but successful decode.
private struct FlippingCoder: PixelCoder {
    var kind: PixelCoderKind { .stored }
    var modelHash: [UInt8] { noModelHash }
    var steps: Int { 0 }
    func encode(_ images: [ModelImage], progress: CodingProgress?) throws -> [UInt8] {
        try StoredPixelCoder().encode(images, progress: progress)
    }
    func decode(_ payload: [UInt8], shapes: [ModelImageShape], progress: CodingProgress?) throws -> [ModelImage] {
        try StoredPixelCoder().decode(payload, shapes: shapes, progress: progress).map { image in
            var pixels = image.pixels
            pixels[0] ^= 1
            return try ModelImage(width: image.width, height: image.height, pixels: pixels)
        }
    }
}

/// A coder that claims to be the VDM coder with a given checkpoint hash (it stores with zlib).
private struct FakeModelCoder: PixelCoder {
    let hash: [UInt8]
    var kind: PixelCoderKind { .bitsBack }
    var modelHash: [UInt8] { hash }
    var steps: Int { 7 }
    func encode(_ images: [ModelImage], progress: CodingProgress?) throws -> [UInt8] {
        try StoredPixelCoder().encode(images, progress: progress)
    }
    func decode(_ payload: [UInt8], shapes: [ModelImageShape], progress: CodingProgress?) throws -> [ModelImage] {
        try StoredPixelCoder().decode(payload, shapes: shapes, progress: progress)
    }
}
