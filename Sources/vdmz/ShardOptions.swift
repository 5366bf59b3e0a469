import ArgumentParser
import BitsBack
import Codec

/// `--shard-images` and `--shard-pixels`: how a dataset archive is cut into shards.
struct ShardOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Images per shard of a dataset archive (instead of --shard-pixels).", valueName: "n"))
    var shardImages: Int?

    @Option(
        help: ArgumentHelp(
            "Pixels (width·height) per shard of a dataset archive (default 1048576: 1024 images of 32×32). Each shard "
                + "is decodable alone; shards are coded in parallel. A dataset that fits in one shard is a format-2 "
                + "archive.", valueName: "n"))
    var shardPixels: Int?

    @Option(
        help: ArgumentHelp(
            "Pixels per chain inside a shard of a bits-back dataset (default 65536: 64 images of 32×32; the shard's "
                + "first chain, twice that). One image comes back by decoding its chain only; the chains after a "
                + "shard's first start on words it lends them, at a few dozen bytes each. 0: one chain per shard.", valueName: "n"
        ))
    var chainPixels: Int?

    func validate() throws {
        if let chainPixels, chainPixels < 0 { throw ValidationError("--chain-pixels must be at least 0") }
        if shardImages != nil && shardPixels != nil { throw ValidationError("give --shard-images or --shard-pixels, not both") }
        if let shardImages, shardImages < 1 { throw ValidationError("--shard-images must be at least 1") }
        if let shardPixels, shardPixels < 1 { throw ValidationError("--shard-pixels must be at least 1") }
    }

    /// Whether the user asked for a shard size.
    var isGiven: Bool { shardImages != nil || shardPixels != nil }

    /// The chain size of the bits-back coders (`BitsBackCoder.chainPixels`; nil: one chain a shard).
    var chains: Int? {
        guard let chainPixels else { return BitsBackCoder.datasetChainPixels }
        return chainPixels == 0 ? nil : chainPixels
    }

    var size: ShardSize {
        if let shardImages { return .images(shardImages) }
        if let shardPixels { return .pixels(shardPixels) }
        return .standard
    }
}
