import Foundation

/// A loaded prior checkpoint: the safetensors file (weights + metadata) with its raw bytes, so that the
/// codec can hash exactly what was loaded (docs/DESIGN.md §3: the container records the checkpoint's hash).
///
/// Loading validates the metadata (architecture `vdmz-resnet-1`) and that every tensor the architecture
/// needs is present with the right shape; a mismatch throws `ModelError`, never traps.
public struct Checkpoint {
    /// Where the file was read from.
    public let url: URL
    /// The parsed file; `file.data` is the raw bytes, identical to the file on disk.
    public let file: SafeTensorsFile
    /// The architecture and coding defaults.
    public let metadata: CheckpointMetadata

    /// The raw bytes of the checkpoint file (hash these to identify the model).
    public var data: Data { file.data }

    /// Reads and validates the checkpoint at `url`.
    public init(contentsOf url: URL) throws {
        let file = try SafeTensorsFile(contentsOf: url)
        try self.init(file: file, url: url)
    }

    /// Validates an already parsed file.
    public init(file: SafeTensorsFile, url: URL) throws {
        guard let json = file.metadata["vdmz"] else {
            throw ModelError.invalidMetadata(path: file.path, reason: "no 'vdmz' key in the safetensors __metadata__")
        }
        let metadata = try CheckpointMetadata(json: json, path: file.path)
        for (name, shape) in Self.expectedShapes(metadata) {
            guard let entry = file.entries[name] else { throw ModelError.missingTensor(path: file.path, name: name) }
            guard entry.dataType == "F32", entry.shape == shape else {
                throw ModelError.tensorMismatch(
                    path: file.path, name: name, expected: "F32 \(shape)", found: "\(entry.dataType) \(entry.shape)")
            }
        }
        self.url = url
        self.file = file
        self.metadata = metadata
    }

    /// The checkpoint shipped with the package (`Sources/Model/Resources/default.safetensors`).
    public static func loadDefault() throws -> Checkpoint {
        guard let url = defaultCheckpointURL() else {
            throw ModelError.defaultCheckpointUnavailable(
                reason: "this build of vdmz was made without Sources/Model/Resources/default.safetensors")
        }
        return try Checkpoint(contentsOf: url)
    }

    /// A checkpoint an earlier release shipped as its default, kept so that its archives still decode:
    /// `Resources/released/<sha256>.safetensors` of this build, or nil when there is none by that name.
    /// The caller must still compare the loaded file's hash with `sha256Hex`.
    /// - Parameter sha256Hex: 64 lower-case hexadecimal digits.
    public static func releasedURL(sha256Hex: String) -> URL? {
        guard sha256Hex.count == 64, sha256Hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
            let url = packagedResourcesDirectory()?.appendingPathComponent("released/\(sha256Hex).safetensors"),
            FileManager.default.isReadableFile(atPath: url.path)
        else { return nil }
        return url
    }

    /// Loads `path` when given, else the default checkpoint.
    public static func load(path: String?) throws -> Checkpoint {
        if let path { return try Checkpoint(contentsOf: URL(fileURLWithPath: path)) }
        return try loadDefault()
    }

    /// The float32 tensor `name` (its shape was checked at load).
    func tensor(_ name: String) throws -> [Float] { try file.floats(name).values }

    /// Every tensor of the architecture with its shape (PyTorch names and layouts, NETWORK.md).
    static func expectedShapes(_ m: CheckpointMetadata) -> [(String, [Int])] {
        let c = m.channels, e = 4 * m.channels
        var shapes: [(String, [Int])] = [
            ("temb1.weight", [e, 64]), ("temb1.bias", [e]), ("temb2.weight", [e, e]), ("temb2.bias", [e]),
            ("conv_in.weight", [c, m.inputChannels, 3, 3]), ("conv_in.bias", [c]),
            ("conv_out.weight", [m.outputChannels, c, 3, 3]), ("conv_out.bias", [m.outputChannels]),
            ("gamma.l1.weight", [1, 1]), ("gamma.l1.bias", [1]), ("gamma.l2.weight", [1024, 1]),
            ("gamma.l2.bias", [1024]), ("gamma.l3.weight", [1, 1024]), ("gamma.l3.bias", [1]),
            ("gamma.gamma0", []), ("gamma.gamma1", []),
        ]
        for b in 0..<m.blocks {
            shapes += [
                ("blocks.\(b).conv1.weight", [c, c, 3, 3]), ("blocks.\(b).conv1.bias", [c]),
                ("blocks.\(b).temb.weight", [c, e]), ("blocks.\(b).temb.bias", [c]),
                ("blocks.\(b).conv2.weight", [c, c, 3, 3]), ("blocks.\(b).conv2.bias", [c]),
            ]
        }
        if m.decoder == .network { shapes.append(("decoder_scale", [2, 3])) }
        return shapes
    }
}
