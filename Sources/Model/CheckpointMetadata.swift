import Foundation

/// The architecture and coding defaults a checkpoint declares in its safetensors metadata (key `vdmz`,
/// a JSON object; see training/NETWORK.md). Only `vdmz-resnet-1`, format version 1, is supported, with
/// the decoder p(x | z_0) the optional key `decoder` names (absent: `.uniform`, today's decoder).
public struct CheckpointMetadata: Equatable {
    /// Which decoder p(x | z_0) the model was trained with (NETWORK.md "Decoder p(x | z_0)").
    public enum Decoder: String, Equatable, Sendable {
        /// The network-free decoder: softmax_k of −½·e^{−γ_0}·(z_0/α_0 − f_k)² (`DiscretizedDecoder`).
        case uniform
        /// The network-informed decoder: one more network pass at γ_0 on z_0 adds −½·((f_k − x̂)/s)² to
        /// every logit, with s from the `decoder_scale` tensor (`NetworkDecoderScale`).
        case network
    }

    /// Architecture name; always `vdmz-resnet-1` for a loaded checkpoint.
    public let architecture: String
    /// Width C of the residual stream.
    public let channels: Int
    /// Number B of residual blocks.
    public let blocks: Int
    /// The n of the Fourier features sin/cos(2π·2ⁿ·z), in channel order.
    public let fourierExponents: [Int]
    /// Whether the network also outputs v, the IDDPM variance interpolation.
    public let learnedVariance: Bool
    /// The default number of coding steps T (the T the model was trained for).
    public let codingSteps: Int
    /// The decoder p(x | z_0); `.uniform` for checkpoints without a `decoder` key.
    public let decoder: Decoder
    /// The whole metadata object as JSON text, as stored in the file.
    public let json: String

    /// Network evaluations per image when coding (or computing the negative ELBO) at T steps: T, plus one
    /// at γ_0 on z_0 for the network decoder.
    public func networkPasses(steps: Int) -> Int { steps + (decoder == .network ? 1 : 0) }

    /// Output channels of the network: 3 (ε̂) or 6 (ε̂ and v).
    public var outputChannels: Int { learnedVariance ? 6 : 3 }
    /// Input channels of `conv_in`: z plus sin and cos per Fourier exponent, for 3 colour channels.
    public var inputChannels: Int { 3 * (1 + 2 * fourierExponents.count) }
    /// Radius (Chebyshev, in pixels) of an output pixel's receptive field: 2B + 2.
    public var receptiveRadius: Int { 2 * blocks + 2 }

    /// Parses the `vdmz` metadata JSON text; `path` only labels errors.
    public init(json: String, path: String) throws {
        func fail(_ reason: String) -> ModelError { .invalidMetadata(path: path, reason: reason) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw fail("the 'vdmz' metadata is not a JSON object")
        }
        guard object["format"] as? String == "vdmz-checkpoint" else { throw fail("format is not 'vdmz-checkpoint'") }
        guard (object["version"] as? NSNumber)?.intValue == 1 else {
            throw fail("unsupported version \(object["version"] ?? "none")")
        }
        guard let architecture = object["architecture"] as? String else { throw fail("no architecture") }
        guard architecture == "vdmz-resnet-1" else {
            throw fail("architecture '\(architecture)' is not supported (this build knows vdmz-resnet-1)")
        }
        func positive(_ key: String, limit: Int) throws -> Int {
            guard let number = object[key] as? NSNumber, number.doubleValue == Double(number.intValue),
                number.intValue >= 1, number.intValue <= limit
            else { throw fail("'\(key)' must be an integer in 1…\(limit)") }
            return number.intValue
        }
        channels = try positive("channels", limit: 1024)
        blocks = try positive("blocks", limit: 256)
        codingSteps = try positive("coding_steps", limit: 1 << 20)
        guard let exponents = object["fourier_n"] as? [NSNumber], exponents.count <= 8,
            exponents.allSatisfy({ $0.doubleValue == Double($0.intValue) && abs($0.intValue) <= 16 })
        else { throw fail("'fourier_n' must be a list of at most 8 small integers") }
        fourierExponents = exponents.map(\.intValue)
        guard let learned = object["learned_variance"] as? Bool else { throw fail("'learned_variance' must be a boolean") }
        learnedVariance = learned
        switch object["decoder"] {
        case nil: decoder = .uniform
        case let name as String:
            guard let known = Decoder(rawValue: name) else {
                throw fail("decoder '\(name)' is not supported (this build knows 'uniform' and 'network')")
            }
            decoder = known
        default: throw fail("'decoder' must be a string")
        }
        // The other study options of training/network.py change the network or the data space; this build
        // implements neither, so a checkpoint that declares them is refused rather than misread.
        if let space = object["space"], space as? String != "rgb" {
            throw fail("'space' = \(space) is a study option this build does not implement")
        }
        if let blocks = object["lowres_blocks"], (blocks as? NSNumber)?.doubleValue != 0 {
            throw fail("'lowres_blocks' = \(blocks) is a study option this build does not implement")
        }
        self.architecture = architecture
        self.json = json
    }
}
