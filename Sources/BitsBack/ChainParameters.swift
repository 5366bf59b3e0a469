import ANS
import Bytes
import PixelCoding
/// The parameters of the bits-back chain that the decoder must know. They are written at the start of
/// the payload (`ChainParameters.encoded`), so a later release can change the defaults and still decode
/// old files.
public struct ChainParameters: Equatable, Sendable {
    /// Diffusion steps T.
    public var steps: Int
    /// The grid of z_{t_i} (i ≥ 1) is δ_i = 2^−latentBinShift × the smallest standard deviation that
    /// codes z_{t_i}. Finer grids code closer to the ELBO; coarser ones need fewer bits on the stack.
    public var latentBinShift: Int
    /// The same for z_0, whose first pop draws log2(σ_0/δ_0) + 2 bits per sub-pixel from the stack:
    /// a coarser grid there keeps the initial bits of a file small.
    public var firstBinShift: Int
    /// Frequency precision (bits) of the discretized Gaussians. Measured (200 cifar-500 images, T = 64,
    /// net coded rate over the ELBO): 22 → +0.52 %, 24 → +0.22 %, 26 → +0.09 %, 27 → +0.06 %,
    /// 28 → +0.07 %, 30 → +0.59 % (rANS with 64-bit heads and 32-bit words loses efficiency as the
    /// precision nears the word size; below 26 the frequency floor of the tails costs).
    public var gaussianPrecision: Int
    /// Frequency precision (bits) of the 256-way pixel distributions.
    public var pixelPrecision: Int
    /// Interleaved rANS lanes (in all, over the streams of a payload).
    public var laneCount: Int
    /// Independent streams of the payload's message (`Message`, "Streams"): 1 up to version 3; from
    /// version 4 as recorded. Encoders choose it with `splittingIntoStreams(forImageAreas:atMost:)`.
    public var streamCount: Int
    /// How large images are cut into tiles on one stack.
    public var plan: TilePlan
    /// Layout of the payload after this block (`BitsBackCoder`): 1 — one varint tile count per image;
    /// 2 — run lengths of single-tile images, which a dataset of small images codes in a few bytes
    /// instead of one byte per image, and the Gaussians' escape interval in the middle of each
    /// distribution instead of at the top (`DiscretizedGaussian.EscapePlacement`); 3 — the posteriors q read
    /// their slots through a bijection (`SlotOrder.scrambled`), so that few-step chains code at their ELBO;
    /// 4 — version 3 with the message cut into `streamCount` streams (one byte more in this block), whose
    /// in-order coding runs on that many threads; 5 — version 3 for a dataset cut into several chains, of
    /// which all but the first start on words lent by the first (`ChainGroup`).
    /// Encoders write `currentVersion`, or version 4 for a payload of more than one stream (a payload of
    /// one stream is written as version 3, byte for byte as before); decoders read every version.
    public var version: UInt8

    public init(
        steps: Int, latentBinShift: Int = 3, firstBinShift: Int = 1, gaussianPrecision: Int = 27,
        pixelPrecision: Int = 24, laneCount: Int = 16, plan: TilePlan = .standard,
        version: UInt8 = ChainParameters.currentVersion, streamCount: Int = 1
    ) {
        self.version = version
        self.streamCount = streamCount
        self.steps = steps
        self.latentBinShift = latentBinShift
        self.firstBinShift = firstBinShift
        self.gaussianPrecision = gaussianPrecision
        self.pixelPrecision = pixelPrecision
        self.laneCount = laneCount
        self.plan = plan
    }

    /// Version that encoders write.
    public static let currentVersion: UInt8 = 3
    /// Versions this build decodes.
    public static let readableVersions: ClosedRange<UInt8> = 1...5
    /// The version of a payload cut into streams.
    public static let streamsVersion: UInt8 = 4
    /// The version of a payload of several chains that borrow their start (`ChainGroup`).
    public static let groupVersion: UInt8 = 5
    /// Largest step count a payload may ask for (each step is a network evaluation per tile): the one
    /// limit on steps, which the container and the command line use too.
    public static let maxSteps = CoderLimits.maxSteps

    /// What the payload version changes in the chain and its payload: the one place that reads `version`.
    public var profile: ChainProfile { ChainProfile(version: version) }

    /// The parameter block: version, then the fields as little-endian integers.
    public var encoded: [UInt8] {
        var w = ByteWriter()
        w.append(version)
        w.append(UInt32(steps))
        w.append(UInt8(latentBinShift))
        w.append(UInt8(firstBinShift))
        w.append(UInt8(gaussianPrecision))
        w.append(UInt8(pixelPrecision))
        w.append(UInt16(laneCount))
        w.append(UInt32(plan.blockSize))
        w.append(UInt32(plan.maxTilePixels))
        if version == Self.streamsVersion { w.append(UInt8(streamCount)) }
        return w.bytes
    }

    /// Checks every field against the range this build can code.
    /// - Throws: `BitsBackError.invalidParameters` naming the first field out of range.
    public func validate() throws {
        func invalid(_ what: String) -> BitsBackError { .invalidParameters(what) }
        guard Self.readableVersions.contains(version) else {
            throw invalid("chain parameter version \(version) (this build reads \(Self.readableVersions))")
        }
        guard (1...Self.maxSteps).contains(steps) else { throw invalid("steps \(steps)") }
        guard (0...16).contains(latentBinShift), (0...16).contains(firstBinShift) else { throw invalid("bin shifts") }
        guard (16...31).contains(gaussianPrecision), (12...28).contains(pixelPrecision) else { throw invalid("precision") }
        guard (1...1024).contains(laneCount) else { throw invalid("lane count \(laneCount)") }
        let streams = version == Self.streamsVersion ? 1...Message.maxStreamCount : 1...1
        guard streams.contains(streamCount) else { throw invalid("stream count \(streamCount)") }
        guard plan.blockSize >= 1, plan.blockSize <= 1 << 10, plan.maxTilePixels >= plan.blockSize * plan.blockSize,
            plan.maxTilePixels <= CoderLimits.maxTilePixels
        else { throw invalid("tile plan (at most \(CoderLimits.maxTilePixels) pixels a tile)") }
    }

    /// Parses and validates a parameter block.
    /// - Throws: `BitsBackError.invalidParameters` for a wrong version, an out-of-range value or a
    ///   truncated block.
    public static func decode(from reader: inout ByteReader) throws -> ChainParameters {
        let parameters: ChainParameters
        do {
            let version = try reader.readUInt8()
            guard Self.readableVersions.contains(version) else {
                throw BitsBackError.invalidParameters(
                    "chain parameter version \(version) (this build reads \(Self.readableVersions))")
            }
            let steps = Int(try reader.readUInt32())
            let latentShift = Int(try reader.readUInt8()), firstShift = Int(try reader.readUInt8())
            let gaussianPrecision = Int(try reader.readUInt8()), pixelPrecision = Int(try reader.readUInt8())
            let lanes = Int(try reader.readUInt16())
            let block = Int(try reader.readUInt32())
            let maxTile = Int(try reader.readUInt32())
            let streams = version == Self.streamsVersion ? Int(try reader.readUInt8()) : 1
            guard block >= 1, block <= 1 << 10, maxTile >= block * block, maxTile <= CoderLimits.maxTilePixels else {
                throw BitsBackError.invalidParameters("tile plan")
            }
            parameters = ChainParameters(
                steps: steps, latentBinShift: latentShift, firstBinShift: firstShift,
                gaussianPrecision: gaussianPrecision, pixelPrecision: pixelPrecision, laneCount: lanes,
                plan: TilePlan(blockSize: block, maxTilePixels: maxTile), version: version, streamCount: streams)
        } catch is ByteReaderError {
            throw BitsBackError.invalidParameters("truncated parameter block")
        }
        try parameters.validate()
        return parameters
    }

    /// These parameters with at most `cap` lanes for a payload of these image areas: the lane count
    /// field is lowered only when it would give more than `cap` lanes, so a payload that gets no more
    /// lanes either way keeps the same bytes.
    public func cappingLanes(at cap: Int, forImageAreas areas: [Int]) -> ChainParameters {
        guard lanes(forImageAreas: areas) > cap else { return self }
        var capped = self
        capped.laneCount = cap
        return capped
    }

    /// Least sub-pixels a stream codes: a stream costs ≈ 15–20 bytes (its message header and CRC, its
    /// length, the rounding of its initial words), ≤ 0.1 % of a share this size.
    public static let streamMinimumSubpixels = 1 << 16

    /// These parameters for a payload of these image areas cut into as many streams as it allows, at most
    /// `cap` (a power of two, each stream at least `minimumSubpixels`; at the default that leaves every
    /// stream at least 2 of the payload's lanes):
    /// version 4 with that stream count, or `self` unchanged when that is one stream. The lanes are
    /// shared out: `lanesPerStream(forImageAreas:)`.
    public func splittingIntoStreams(
        forImageAreas areas: [Int], atMost cap: Int, minimumSubpixels: Int = streamMinimumSubpixels
    ) -> ChainParameters {
        let subpixels = areas.reduce(0, +) * 3
        var streams = 1
        while streams * 2 <= min(cap, Message.maxStreamCount), streams * 2 * max(1, minimumSubpixels) <= subpixels {
            streams *= 2
        }
        // Older versions are kept as they are asked for.
        guard streams > 1, (3...Self.streamsVersion).contains(version) else { return self }
        var split = self
        split.version = max(version, Self.streamsVersion)
        split.streamCount = streams
        return split
    }

    /// Lanes of each stream for a payload of these image areas: `lanes(forImageAreas:)` shared out over
    /// `streamCount` streams, at least one each (more lanes in all only where a coder lowered the
    /// streams' minimum below the default).
    public func lanesPerStream(forImageAreas areas: [Int]) -> Int { max(1, lanes(forImageAreas: areas) / streamCount) }

    /// Lanes for a payload of these image areas: interleaving pays for itself only on large messages,
    /// while every lane costs 64 bits of state. At most `laneCount`, a power of two otherwise.
    public func lanes(forImageAreas areas: [Int]) -> Int {
        let subpixels = areas.reduce(0, +) * 3
        var lanes = 1
        while lanes < laneCount && lanes * 16384 <= subpixels { lanes *= 2 }
        return min(lanes, laneCount)
    }
}
