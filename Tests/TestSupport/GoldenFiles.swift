import Foundation
import XCTest
import Model

/// The committed golden files of Tests/Golden (see make_golden.py there) and fuzz/seeds.
public enum GoldenFiles {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    public static let directory = root.appendingPathComponent("Tests/Golden")
    public static let model = directory.appendingPathComponent("model.safetensors")
    /// The checkpoint with the network decoder p(x | z_0) that `*-netdec.vdmz` files were coded with.
    public static let networkDecoderModel = directory.appendingPathComponent("model-netdec.safetensors")

    /// The checkpoint the golden or seed file `name` was coded with.
    public static func model(forFile name: String) -> URL { name.contains("-netdec") ? networkDecoderModel : model }
    /// Steps the golden `.vdmz` files were coded with.
    public static let steps = 6

    public static func bytes(_ name: String, in folder: URL = directory) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    /// The golden file `name`, written first with the bytes of `make` when `VDMZ_WRITE_GOLDEN=1` (only with
    /// a deliberate format change: the file is then a new promise, and the test that reads it decides
    /// whether it is kept).
    public static func bytes(_ name: String, writingWith make: () throws -> [UInt8]) throws -> [UInt8] {
        if ProcessInfo.processInfo.environment["VDMZ_WRITE_GOLDEN"] == "1" {
            try Data(try make()).write(to: directory.appendingPathComponent(name))
        }
        return try bytes(name)
    }

    /// Every `.vdmz` of Tests/Golden and fuzz/seeds: the fuzzing seeds.
    public static func seeds() throws -> [(name: String, bytes: [UInt8])] {
        var seeds: [(String, [UInt8])] = []
        for folder in [directory, root.appendingPathComponent("fuzz/seeds")] {
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".vdmz") }.sorted()
            for name in names { seeds.append((name, try bytes(name, in: folder))) }
        }
        return seeds
    }

    public static func prior() throws -> DiffusionPrior { try DiffusionPrior(checkpoint: Checkpoint(contentsOf: model)) }
}
