import Foundation
import FuzzSupport
import XCTest
@testable import Codec
@testable import ContainerFormat
import BitsBack
import PixelCoding
import Imaging
import TestSupport

/// The short, deterministic run of the decoding fuzzer (the long runs use libFuzzer: fuzz/run.sh). Every
/// mutant of every seed must end in an error or in images identical to the seed's own images — never a
/// crash, a hang, or a wrong image — and with the CRCs checked, every mutant must be refused.
final class DecoderFuzzTests: XCTestCase {
    /// Mutants per seed (23 seeds, the current, version-1, sharded and network-decoder files of Tests/Golden and
    /// fuzz/seeds, × 2500 × 2 attempts: about 12 s on one core).
    static let mutantsPerSeed = 2500

    func testMutatedContainersNeverYieldAWrongImage() throws {
        // Each seed with the checkpoint it was coded with (the network-decoder file has its own).
        let probes = [
            GoldenFiles.model: try DecoderProbe(checkpoint: GoldenFiles.model),
            GoldenFiles.networkDecoderModel: try DecoderProbe(checkpoint: GoldenFiles.networkDecoderModel),
        ]
        let seeds = try GoldenFiles.seeds()
        XCTAssertGreaterThanOrEqual(seeds.count, 12)
        let versions = try seeds.map { seed in
            ShardedContainer.isSharded(prefix: Array(seed.bytes.prefix(10)))
                ? ShardedContainer.formatVersion
                : try Container(parsing: seed.bytes).version
        }
        XCTAssertEqual(Set(versions), Set(Container.readableVersions).union([ShardedContainer.formatVersion]))
        var mutator = ByteMutator(seed: 2026)
        var counts = [String: Int]()
        for (index, seed) in seeds.enumerated() {
            let probe = try XCTUnwrap(probes[GoldenFiles.model(forFile: seed.name)])
            guard case .decoded(let originals) = probe.attempt(seed.bytes, verifyingChecksums: true) else {
                return XCTFail("seed \(seed.name) does not decode")
            }
            let expected = Set(originals.map { PixelChecksum.of($0.image) })
            let other = seeds[(index + 1) % seeds.count].bytes
            for _ in 0..<Self.mutantsPerSeed {
                let mutant = mutator.mutate(seed.bytes, splicingWith: other)
                for (verifying, outcome) in zip([true, false], probe.probe(mutant)) {
                    switch outcome {
                    case .rejected:
                        counts["rejected", default: 0] += 1
                    case .skipped:
                        counts["skipped", default: 0] += 1
                    case .decoded(let images):
                        counts["decoded", default: 0] += 1
                        if verifying {
                            XCTAssertEqual(mutant, seed.bytes, "a mutant of \(seed.name) passed every check")
                        }
                        for image in images {
                            XCTAssertTrue(
                                expected.contains(PixelChecksum.of(image.image)),
                                "a mutant of \(seed.name) decoded to an image that is not one of the seed's")
                        }
                    }
                }
            }
        }
        // The run must exercise both ends: most mutants refused, and the CRC-free attempts decoding some.
        XCTAssertGreaterThan(counts["rejected", default: 0], seeds.count * Self.mutantsPerSeed)
        print("decoder fuzz run: \(seeds.count) seeds × \(Self.mutantsPerSeed) mutants × 2 attempts: \(counts)")
    }

    /// Inputs that once broke the decoder (fuzz/regressions): each must now be refused in both attempts.
    func testPastFindingsAreRefused() throws {
        let probe = try DecoderProbe(checkpoint: GoldenFiles.model)
        let folder = GoldenFiles.root.appendingPathComponent("fuzz/regressions")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertFalse(names.isEmpty)
        for name in names {
            for outcome in probe.probe(try GoldenFiles.bytes(name, in: folder)) {
                guard case .rejected = outcome else { return XCTFail("\(name) was not refused: \(outcome)") }
            }
        }
    }

    /// Flips every byte of small bits-back files, one at a time: with all checks each flip is an error;
    /// with the CRCs skipped, each flip is an error or (in a part that does not touch the pixels, such
    /// as the CRCs themselves) the same pixels.
    func testEveryByteFlipOfASmallFileIsCaught() throws {
        let probe = try DecoderProbe(checkpoint: GoldenFiles.model)
        let seeds = try GoldenFiles.seeds()
        for name in ["vdm-1x1-T2.vdmz", "vdm-set-T3.vdmz", "vdm-1x1-T2-v1.vdmz", "vdm-set-T3-v1.vdmz"] {
            let original = try XCTUnwrap(seeds.first { $0.name == name }).bytes
            guard case .decoded(let images) = probe.attempt(original, verifyingChecksums: true) else {
                return XCTFail("\(name) does not decode")
            }
            let expected = images.map { PixelChecksum.of($0.image) }
            var decodedWithoutCRC = 0
            for index in original.indices {
                var flipped = original
                flipped[index] ^= 0xFF
                let outcomes = probe.probe(flipped)
                guard case .rejected = outcomes[0] else { return XCTFail("\(name): flip of byte \(index) not caught") }
                if case .decoded(let images) = outcomes[1] {
                    decodedWithoutCRC += 1
                    XCTAssertEqual(images.map { PixelChecksum.of($0.image) }, expected, "\(name): byte \(index)")
                }
            }
            // Only flips in the skipped CRCs themselves and in unused bytes of the payload's parameters
            // may decode without the CRCs (14 of each file here).
            XCTAssertLessThan(decodedWithoutCRC, 16, name)
        }
    }
}
