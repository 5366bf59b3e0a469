import Codec
import ContainerFormat

/// `vdmz info` of a sharded (format 3 or 4) archive: reads the index only and lists the shards.
extension Info {
    func describeSharded(_ index: ShardedContainer, name: String) -> String {
        var lines = [
            "\(name == "-" ? "standard input" : name): .vdmz format \(index.version), \(index.fileByteCount) bytes",
            "  coder:    \(index.coder)",
            "  model:    \(index.coder.requiresModel ? Archive.hex(index.modelHash) : "none")",
            "  images:   \(index.shards.reduce(0) { $0 + $1.names.count }) (dataset archive)",
            "  shards:   \(index.shards.count) (index \(index.indexByteCount) bytes with the header)",
        ]
        for (number, shard) in index.shards.enumerated() {
            let span = shard.names.count == 1 ? shard.names[0] : "\(shard.names[0]) … \(shard.names[shard.names.count - 1])"
            lines.append(
                "  - shard \(number): \(shard.names.count) image\(shard.names.count == 1 ? "" : "s") (\(span)), "
                    + "\(shard.byteCount) bytes at offset \(shard.offset)")
        }
        return lines.joined(separator: "\n")
    }
}
