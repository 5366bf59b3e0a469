@testable import Codec
@testable import ContainerFormat
import BitsBack
import PixelCoding
import Imaging
import TestSupport
import Bytes

/// The version-1 serializer as the codec had it (it now writes version 2 only), kept here to make
/// version-1 files for the tests of the version-1 reader. Layout: `Container`.
enum Version1Writer {
    /// `images` coded by `coder` into version-1 bytes, each image with its pixel checksum.
    static func bytes(_ images: [NamedImage], coder: any PixelCoder, isDataset: Bool) throws -> [UInt8] {
        let container = try Archive.compress(images, coder: coder, isDataset: isDataset)
        return try bytes(container, checksums: images.map { PixelChecksum.of($0.image) })
    }

    /// `container` in version 1, with `checksums` as its images' pixel checksums.
    static func bytes(_ container: Container, checksums: [[UInt8]]) throws -> [UInt8] {
        var writer = ByteWriter()
        writer.append(Container.magic)
        writer.append(UInt16(1))
        writer.append(container.coder.rawValue)
        writer.append(UInt8(container.isDataset ? 1 : 0))
        writer.append(container.modelHash)
        writer.append(UInt32(container.images.count))
        for (image, checksum) in zip(container.images, checksums) {
            let name = Array(image.name.utf8)
            writer.append(UInt16(name.count))
            writer.append(name)
            writer.append(UInt32(image.header.width))
            writer.append(UInt32(image.header.height))
            writer.append(image.header.colorType.rawValue)
            writer.append(UInt8(image.header.bitDepth))
            writer.append(UInt8(image.header.isInterlaced ? 1 : 0))
            writer.append(UInt32(image.steps))
            writer.append(checksum)
            let planes = image.sidePlanes.sorted { $0.kind.rawValue < $1.kind.rawValue }
            writer.append(UInt8(planes.count))
            for plane in planes {
                let stored = try Zlib.compress(plane.bytes)
                writer.append(plane.kind.rawValue)
                writer.append(UInt32(plane.bytes.count))
                writer.append(UInt32(stored.count))
                writer.append(stored)
            }
        }
        writer.append(UInt64(container.payload.count))
        writer.append(container.payload)
        writer.append(Zlib.crc32(writer.bytes[...]))
        return writer.bytes
    }
}
