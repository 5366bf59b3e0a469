import ContainerFormat
import Imaging

/// Structure-aware mutations of a `.vdmz` file for fuzzing: the file is parsed (CRCs not checked),
/// one field that a byte mutator rarely hits coherently is changed, and the container is written again
/// with a correct CRC, so that the mutant reaches the code behind the container's checks:
/// - the bits-back chain parameters at the start of the payload (steps, bin shifts, precisions, lanes,
///   block size, tile size: boundary values such as 0, 1, the limits and one past them);
/// - the tile list after them (targets replaced by small, zero or huge varints);
/// - the image records: a hostile entry name ("..", "/" followed by a combining mark, ESC, newline, a
///   bidi control), the dataset flag, every image's steps together with the payload's, an image's size.
/// Inputs that do not parse come back unchanged (the byte mutator handles those). Deterministic for a
/// given `ByteMutator` state.
public enum StructuredMutator {
    /// Byte offsets of the chain parameter fields in the payload (`ChainParameters.encoded`): field
    /// offset, width in bytes, and values worth trying.
    static let parameterFields: [(offset: Int, width: Int, values: [UInt64])] = [
        (0, 1, [0, 1, 2, 3, 255]),  // version
        (1, 4, [0, 1, 2, 64, 4096, 4097, 0xFFFF_FFFF]),  // steps
        (5, 1, [0, 1, 16, 17, 255]), (6, 1, [0, 1, 16, 17, 255]),  // bin shifts
        (7, 1, [15, 16, 27, 31, 32, 255]), (8, 1, [11, 12, 24, 28, 29, 255]),  // precisions
        (9, 2, [0, 1, 2, 16, 1024, 1025, 0xFFFF]),  // lanes
        (11, 4, [0, 1, 2, 4, 1024, 1025, 65536, 0xFFFF_FFFF]),  // block size
        (15, 4, [0, 1, 16, 1 << 18, 1 << 20, (1 << 20) + 1, 1 << 28, 0xFFFF_FFFF]),  // tile pixels
    ]
    static let parameterBytes = 19

    /// Names a hostile archive might carry.
    public static let hostileNames: [String] = [
        "..", ".", "", "../x.png", "sub/x.png", "link/\u{FE0F}pwn.png", "sub/\u{0301}x", "a\\b.png",
        "esc\u{1B}[31mred.png", "new\nline.png", "bidi\u{202E}gnp.exe", "nul\u{0}.png", "c1\u{85}.png",
        String(repeating: "n", count: 1024), "ok.png",
    ]

    /// `bytes` with one structured mutation, or `bytes` unchanged when it is not a parseable container.
    public static func mutate(_ bytes: [UInt8], using random: inout ByteMutator) -> [UInt8] {
        guard let container = try? Container(parsing: bytes, limits: .unlimited, verifyingChecksum: false) else { return bytes }
        var images = container.images.map {
            ContainerImage(name: $0.name, header: $0.header, steps: $0.steps, sidePlanes: $0.sidePlanes)
        }
        var payload = container.payload
        var isDataset = container.isDataset
        switch random.next(6) {
        case 0 where payload.count >= parameterBytes, 1 where payload.count >= parameterBytes:
            let field = parameterFields[random.next(parameterFields.count)]
            let value = field.values[random.next(field.values.count)]
            for k in 0..<field.width { payload[field.offset + k] = UInt8(truncatingIfNeeded: value >> UInt64(8 * k)) }
        case 2 where payload.count > parameterBytes:
            let start = parameterBytes + random.next(min(8, payload.count - parameterBytes))
            let choices: [UInt64] = [0, 1, 15, 16, 17, 1 << 18, 1 << 20, 1 << 32, UInt64.max >> 1]
            var value = choices[random.next(choices.count)]
            var varint: [UInt8] = []
            while value >= 0x80 { varint.append(UInt8(value & 0x7F) | 0x80); value >>= 7 }
            varint.append(UInt8(value))
            payload.replaceSubrange(start..<min(payload.count, start + 1 + random.next(3)), with: varint)
        case 3:
            let index = random.next(images.count)
            let old = images[index]
            images[index] = ContainerImage(
                name: hostileNames[random.next(hostileNames.count)], header: old.header,
                steps: old.steps, sidePlanes: old.sidePlanes)
            if random.next(2) == 0 { isDataset.toggle() }
        case 4:
            let steps = [0, 1, 2, 64, 4096][random.next(5)]
            images = images.map { ContainerImage(name: $0.name, header: $0.header, steps: steps, sidePlanes: $0.sidePlanes) }
            if payload.count >= 5 {
                for k in 0..<4 { payload[1 + k] = UInt8(truncatingIfNeeded: steps >> (8 * k)) }
            }
        default:
            let index = random.next(images.count)
            let old = images[index].header
            let sides = [1, 2, 3, 4, 5, 17, 64, 65, 1 << 12]
            let header = ImageHeader(
                width: random.next(2) == 0 ? sides[random.next(sides.count)] : old.width,
                height: random.next(2) == 0 ? sides[random.next(sides.count)] : old.height,
                colorType: old.colorType, bitDepth: old.bitDepth, isInterlaced: old.isInterlaced)
            images[index] = ContainerImage(
                name: images[index].name, header: header, steps: images[index].steps,
                sidePlanes: images[index].sidePlanes)
        }
        guard
            let mutated = try? Container(
                coder: container.coder, isDataset: isDataset, modelHash: container.modelHash,
                images: images, pixelDigest: container.pixelDigest, payload: payload),
            let serialized = try? mutated.serialized()
        else { return bytes }
        return serialized
    }
}
