import ArgumentParser
import Codec

/// `--shard-images` and `--shard-pixels`: how a dataset archive is cut into shards.
struct ShardOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Images per shard of a dataset archive (instead of --shard-pixels).", valueName: "n"))
    var shardImages: Int?

    @Option(
        help: ArgumentHelp(
            "Pixels (width·height) per shard of a dataset archive (default 524288: 512 images of 32×32). Each shard is "
                + "its own chain, decodable alone; shards are coded in parallel. A dataset that fits in one shard is a "
                + "format-2 archive.", valueName: "n"))
    var shardPixels: Int?

    func validate() throws {
        if shardImages != nil && shardPixels != nil { throw ValidationError("give --shard-images or --shard-pixels, not both") }
        if let shardImages, shardImages < 1 { throw ValidationError("--shard-images must be at least 1") }
        if let shardPixels, shardPixels < 1 { throw ValidationError("--shard-pixels must be at least 1") }
    }

    /// Whether the user asked for a shard size.
    var isGiven: Bool { shardImages != nil || shardPixels != nil }

    var size: ShardSize {
        if let shardImages { return .images(shardImages) }
        if let shardPixels { return .pixels(shardPixels) }
        return .standard
    }
}
