import CPNG

extension RasterImage {
    /// Decodes a PNG held in memory with libpng's low-level API, losslessly: no gamma or colour
    /// conversion, no scaling of sub-8-bit samples, palette indices kept, tRNS kept as data.
    /// Images larger than `limits.maxPixels` are refused before pixel memory is allocated.
    /// - Throws: `PNGError` (not a PNG, truncated, corrupt with libpng's message, too large, …).
    public init(pngData data: [UInt8], limits: ImageLimits = .standard) throws {
        try Self.refuseAnimation(data)
        var image = cpng_image()
        var message = [CChar](repeating: 0, count: 256)
        let status = data.withUnsafeBufferPointer { buffer in
            cpng_read(buffer.baseAddress, buffer.count, UInt64(limits.maxPixels), &image, &message, message.count)
        }
        defer { cpng_image_free(&image) }
        let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch Int(status) {
        case CPNG_OK: break
        case CPNG_ERR_NOT_PNG: throw PNGError.notPNG
        case CPNG_ERR_TRUNCATED: throw PNGError.truncated
        case CPNG_ERR_TOO_LARGE:
            throw PNGError.tooLarge(width: Self.headerWidth(data), height: Self.headerHeight(data), limit: limits.maxPixels)
        case CPNG_ERR_NO_MEMORY: throw PNGError.outOfMemory
        default: throw PNGError.corrupt(text.isEmpty ? "libpng error" : text)
        }
        guard let colorType = PNGColorType(rawValue: UInt8(clamping: image.color_type)) else {
            throw PNGError.corrupt("unknown colour type \(image.color_type)")
        }
        let samples = image.samples_size == 0 ? [] : Array(UnsafeBufferPointer(start: image.samples, count: image.samples_size))
        let palette = withUnsafeBytes(of: image.palette) { Array($0.prefix(3 * Int(image.palette_count))) }
        let transparency = withUnsafeBytes(of: image.trns) { Array($0.prefix(Int(image.trns_size))) }
        var chunks: [PNGChunk] = []
        for index in 0..<Int(image.chunk_count) {
            let chunk = image.chunks[index]
            let name = withUnsafeBytes(of: chunk.name) { String(decoding: $0.prefix(4), as: UTF8.self) }
            let bytes = chunk.size == 0 ? [] : Array(UnsafeBufferPointer(start: chunk.data, count: chunk.size))
            guard let location = PNGChunk.Location(rawValue: chunk.location) else { continue }
            chunks.append(try PNGChunk(name: name, location: location, data: bytes))
        }
        do {
            try self.init(
                width: Int(image.width), height: Int(image.height), colorType: colorType,
                bitDepth: Int(image.bit_depth), samples: samples, palette: palette,
                transparency: transparency, chunks: chunks, isInterlaced: image.interlaced != 0)
        } catch PNGError.invalidImage(let reason) {
            throw PNGError.corrupt(reason)
        }
    }

    private static func headerWidth(_ data: [UInt8]) -> Int { bigEndian32(data, at: 16) }
    private static func headerHeight(_ data: [UInt8]) -> Int { bigEndian32(data, at: 20) }
    private static func bigEndian32(_ data: [UInt8], at offset: Int) -> Int {
        guard data.count >= offset + 4 else { return 0 }
        return data[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
    }
}

extension RasterImage {
    /// The 8 bytes every PNG file starts with.
    public static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Throws `PNGError.animated` when `data` is an animated PNG (APNG: an acTL, fcTL or fdAT chunk).
    /// libpng reads only the default image of an APNG and drops its frames; vdmz would then restore a
    /// still image from an animation, so it refuses instead. Walks the chunk headers only (each length
    /// checked against what remains); a malformed chunk stream is left to libpng to report.
    static func refuseAnimation(_ data: [UInt8]) throws {
        guard data.count >= 8, data.prefix(8).elementsEqual(pngSignature) else { return }
        var offset = 8
        while offset + 8 <= data.count {
            let length =
                Int(data[offset]) << 24 | Int(data[offset + 1]) << 16 | Int(data[offset + 2]) << 8 | Int(data[offset + 3])
            let type = String(decoding: data[(offset + 4)..<(offset + 8)], as: UTF8.self)
            if type == "acTL" || type == "fcTL" || type == "fdAT" { throw PNGError.animated }
            if type == "IEND" { return }
            let (next, overflow) = offset.addingReportingOverflow(12 + length)
            guard !overflow else { return }
            offset = next
        }
    }
}
