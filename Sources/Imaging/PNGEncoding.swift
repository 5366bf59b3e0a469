import CPNG

extension RasterImage {
    /// Encodes the image as a PNG with the same colour type, bit depth, interlacing, palette, tRNS and
    /// kept chunks, so that decoding it gives back an equal `RasterImage`.
    /// - Parameter compressionLevel: zlib level 0…9 for the image data (libpng's default when nil).
    /// - Throws: `PNGError.invalidImage` if libpng refuses the image, `PNGError.outOfMemory`.
    public func pngData(compressionLevel: Int? = nil) throws -> [UInt8] {
        var chunkStructs: [cpng_chunk] = []
        var chunkBuffers: [UnsafeMutablePointer<UInt8>] = []
        defer { chunkBuffers.forEach { $0.deallocate() } }
        for chunk in chunks {
            let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, chunk.data.count))
            chunkBuffers.append(buffer)
            buffer.update(from: chunk.data, count: chunk.data.count)
            var raw = cpng_chunk()
            withUnsafeMutableBytes(of: &raw.name) { name in
                for (index, byte) in chunk.name.utf8.prefix(4).enumerated() { name[index] = byte }
            }
            raw.location = chunk.location.rawValue
            raw.data = buffer
            raw.size = chunk.data.count
            chunkStructs.append(raw)
        }
        var image = cpng_image()
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.color_type = Int32(colorType.rawValue)
        image.bit_depth = Int32(bitDepth)
        image.interlaced = isInterlaced ? 1 : 0
        image.channels = Int32(colorType.channelCount)
        image.palette_count = Int32(palette.count / 3)
        withUnsafeMutableBytes(of: &image.palette) { $0.copyBytes(from: palette) }
        image.trns_size = Int32(transparency.count)
        withUnsafeMutableBytes(of: &image.trns) { $0.copyBytes(from: transparency) }
        image.chunk_count = Int32(chunkStructs.count)

        var output: UnsafeMutablePointer<UInt8>? = nil
        var outputSize = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = samples.withUnsafeBufferPointer { sampleBuffer in
            chunkStructs.withUnsafeMutableBufferPointer { chunkBuffer in
                image.samples = UnsafeMutablePointer(mutating: sampleBuffer.baseAddress)
                image.samples_size = sampleBuffer.count
                image.chunks = chunkBuffer.baseAddress
                return cpng_write(&image, Int32(compressionLevel ?? -1), &output, &outputSize, &message, message.count)
            }
        }
        defer { cpng_free(output) }
        guard Int(status) == CPNG_OK, let output else {
            if Int(status) == CPNG_ERR_NO_MEMORY { throw PNGError.outOfMemory }
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw PNGError.invalidImage(text.isEmpty ? "libpng refused to write the image" : text)
        }
        return Array(UnsafeBufferPointer(start: output, count: outputSize))
    }
}
