import Bytes
import Imaging

extension ImageHeader {
    /// A header of `width × height` whose PNG kind is read as every container format stores it: colour
    /// type u8 (PNG code 0, 2, 3, 4, 6), bit depth u8 (allowed for the colour type), interlaced u8 (0 or 1).
    /// - Throws: `ContainerError.invalidField` for a value out of range, `ByteReaderError` at the end.
    init(width: Int, height: Int, readingKindFrom reader: inout ByteReader) throws {
        guard let colorType = PNGColorType(rawValue: try reader.readUInt8()) else {
            throw ContainerError.invalidField("unknown colour type")
        }
        let bitDepth = Int(try reader.readUInt8())
        guard colorType.allowedBitDepths.contains(bitDepth) else {
            throw ContainerError.invalidField("bit depth \(bitDepth) for \(colorType)")
        }
        let interlaced = try reader.readUInt8()
        guard interlaced <= 1 else { throw ContainerError.invalidField("interlace flag") }
        self.init(width: width, height: height, colorType: colorType, bitDepth: bitDepth, isInterlaced: interlaced == 1)
    }
}
