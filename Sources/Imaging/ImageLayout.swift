import Bytes
/// How every PNG kind is split losslessly into one 8-bit RGB image for the model plus side planes,
/// and put back together exactly.
///
/// | PNG kind | model planes (R, G, B) | side planes |
/// |---|---|---|
/// | RGB 8 | the pixels | — |
/// | RGBA 8 | R, G, B | alpha |
/// | RGB/RGBA 16 | high bytes | colour low (low − high mod 256); alpha high + alpha low for RGBA |
/// | gray 8 / gray+alpha 8 | R = G = B = gray | alpha for gray+alpha |
/// | gray 1/2/4 | R = G = B = v · 255/(2^d − 1) (exact: 255, 85, 17) | — |
/// | gray 16 / gray+alpha 16 | R = G = B = high byte | colour low; alpha, alpha low |
/// | palette 1…8 | the palette colour of each index | palette; palette ranks when a colour repeats in the palette; palette indices when an index lies beyond the palette |
///
/// Gray is coded as a neutral RGB image because that keeps it inside the distribution the model was
/// trained on (photographs), where the model's channel correlations make G and B almost free given R;
/// packing gray pixels into the three channels would break the spatial statistics the model relies on.
/// tRNS, a suggested palette of RGB images and the kept PNG chunks travel as side planes too.
public enum ImageLayout {
    /// Splits `image`. Total: every valid `RasterImage` decomposes.
    public static func decompose(_ image: RasterImage) -> DecomposedImage {
        let count = image.pixelCount
        var model = [UInt8](repeating: 0, count: count * 3)
        var planes: [SidePlane] = []
        let channels = image.colorType.channelCount
        let wide = image.bitDepth == 16
        switch image.colorType {
        case .rgb, .rgba, .gray, .grayAlpha:
            let colorChannels = image.colorType == .rgb || image.colorType == .rgba ? 3 : 1
            let hasAlpha = image.colorType.hasAlpha
            var colorLow = [UInt8](repeating: 0, count: wide ? count * colorChannels : 0)
            var alpha = [UInt8](repeating: 0, count: hasAlpha ? count : 0)
            var alphaLow = [UInt8](repeating: 0, count: hasAlpha && wide ? count : 0)
            let scale = image.bitDepth < 8 ? UInt8(255 / ((1 << image.bitDepth) - 1)) : 1
            image.samples.withUnsafeBufferPointer { src in
                model.withUnsafeMutableBufferPointer { dst in
                    colorLow.withUnsafeMutableBufferPointer { low in
                        alpha.withUnsafeMutableBufferPointer { alphaOut in
                            alphaLow.withUnsafeMutableBufferPointer { alphaLowOut in
                                let stride = channels * (wide ? 2 : 1)
                                for p in 0..<count {
                                    let base = p * stride
                                    if colorChannels == 3 {
                                        for c in 0..<3 {
                                            if wide {
                                                let high = src[base + 2 * c], lowByte = src[base + 2 * c + 1]
                                                dst[3 * p + c] = high
                                                low[3 * p + c] = lowByte &- high
                                            } else {
                                                dst[3 * p + c] = src[base + c]
                                            }
                                        }
                                    } else {
                                        let value: UInt8
                                        if wide {
                                            value = src[base]
                                            low[p] = src[base + 1] &- value
                                        } else {
                                            value = src[base] &* scale
                                        }
                                        dst[3 * p] = value
                                        dst[3 * p + 1] = value
                                        dst[3 * p + 2] = value
                                    }
                                    if hasAlpha {
                                        let a = base + colorChannels * (wide ? 2 : 1)
                                        alphaOut[p] = src[a]
                                        if wide { alphaLowOut[p] = src[a + 1] &- src[a] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if hasAlpha { planes.append(SidePlane(kind: .alpha, bytes: alpha)) }
            if hasAlpha && wide { planes.append(SidePlane(kind: .alphaLow, bytes: alphaLow)) }
            if wide { planes.append(SidePlane(kind: .colorLow, bytes: colorLow)) }
            if !image.palette.isEmpty { planes.append(SidePlane(kind: .palette, bytes: image.palette)) }
        case .palette:
            let table = PaletteTable(palette: image.palette, bitDepth: image.bitDepth)
            var outOfRange = false
            var ranks: [UInt8] = []
            image.samples.withUnsafeBufferPointer { src in
                model.withUnsafeMutableBufferPointer { dst in
                    for p in 0..<count {
                        let index = Int(src[p])
                        if index >= table.entryCount {
                            outOfRange = true
                            continue  // model colour stays black (0, 0, 0)
                        }
                        dst[3 * p] = image.palette[3 * index]
                        dst[3 * p + 1] = image.palette[3 * index + 1]
                        dst[3 * p + 2] = image.palette[3 * index + 2]
                        if table.groupSize[index] > 1 { ranks.append(table.rank[index]) }
                    }
                }
            }
            planes.append(SidePlane(kind: .palette, bytes: image.palette))
            if outOfRange {
                planes.append(SidePlane(kind: .paletteIndices, bytes: image.samples))
            } else if !ranks.isEmpty {
                planes.append(SidePlane(kind: .paletteRank, bytes: ranks))
            }
        }
        if !image.transparency.isEmpty { planes.append(SidePlane(kind: .transparency, bytes: image.transparency)) }
        if !image.chunks.isEmpty { planes.append(SidePlane(kind: .chunks, bytes: serialize(image.chunks))) }
        planes.sort { $0.kind.rawValue < $1.kind.rawValue }
        // The shape is valid because the RasterImage is valid.
        let modelImage = ModelImage(validWidth: image.width, height: image.height, pixels: model)
        return DecomposedImage(header: ImageHeader(image), model: modelImage, sidePlanes: planes)
    }

    /// The exact inverse of `decompose`.
    /// - Throws: `LayoutError.inconsistentPlanes` when the planes do not fit the header or each other
    ///   (missing, unexpected, duplicated or mis-sized planes; non-neutral gray; a colour absent from
    ///   the palette; a rank out of range), `PNGError.invalidImage` when the result is not a valid image.
    public static func compose(header: ImageHeader, model: ModelImage, sidePlanes: [SidePlane]) throws -> RasterImage {
        guard model.width == header.width, model.height == header.height else {
            throw LayoutError.inconsistentPlanes(
                "model image is \(model.width)×\(model.height), header says \(header.width)×\(header.height)")
        }
        guard header.colorType.allowedBitDepths.contains(header.bitDepth) else {
            throw LayoutError.inconsistentPlanes("bit depth \(header.bitDepth) is not allowed for \(header.colorType)")
        }
        var planes: [SidePlane.Kind: [UInt8]] = [:]
        for plane in sidePlanes {
            guard planes.updateValue(plane.bytes, forKey: plane.kind) == nil else {
                throw LayoutError.inconsistentPlanes("two \(plane.kind) planes")
            }
        }
        let count = header.width * header.height
        let wide = header.bitDepth == 16
        let transparency = planes.removeValue(forKey: .transparency) ?? []
        let chunks = try planes.removeValue(forKey: .chunks).map(deserializeChunks) ?? []
        var palette: [UInt8] = []
        var samples: [UInt8]
        func take(_ kind: SidePlane.Kind, count expected: Int) throws -> [UInt8] {
            guard let bytes = planes.removeValue(forKey: kind) else {
                throw LayoutError.inconsistentPlanes("missing \(kind) plane")
            }
            guard bytes.count == expected else {
                throw LayoutError.inconsistentPlanes("\(kind) plane has \(bytes.count) bytes, expected \(expected)")
            }
            return bytes
        }
        switch header.colorType {
        case .rgb, .rgba, .gray, .grayAlpha:
            let colorChannels = header.colorType == .rgb || header.colorType == .rgba ? 3 : 1
            let hasAlpha = header.colorType.hasAlpha
            let channels = header.colorType.channelCount
            let colorLow = wide ? try take(.colorLow, count: count * colorChannels) : []
            let alpha = hasAlpha ? try take(.alpha, count: count) : []
            let alphaLow = hasAlpha && wide ? try take(.alphaLow, count: count) : []
            if colorChannels == 3 { palette = planes.removeValue(forKey: .palette) ?? [] }
            let stride = channels * (wide ? 2 : 1)
            samples = [UInt8](repeating: 0, count: count * stride)
            let scale = header.bitDepth < 8 ? UInt8(255 / ((1 << header.bitDepth) - 1)) : 1
            let ok = samples.withUnsafeMutableBufferPointer { dst in
                model.pixels.withUnsafeBufferPointer { src in
                    colorLow.withUnsafeBufferPointer { low in
                        alpha.withUnsafeBufferPointer { alphaIn in
                            alphaLow.withUnsafeBufferPointer { alphaLowIn in
                                for p in 0..<count {
                                    let base = p * stride
                                    if colorChannels == 3 {
                                        for c in 0..<3 {
                                            let high = src[3 * p + c]
                                            if wide {
                                                dst[base + 2 * c] = high
                                                dst[base + 2 * c + 1] = low[3 * p + c] &+ high
                                            } else {
                                                dst[base + c] = high
                                            }
                                        }
                                    } else {
                                        let value = src[3 * p]
                                        guard src[3 * p + 1] == value, src[3 * p + 2] == value else { return false }
                                        if wide {
                                            dst[base] = value
                                            dst[base + 1] = low[p] &+ value
                                        } else {
                                            guard value % scale == 0 else { return false }
                                            dst[base] = value / scale
                                        }
                                    }
                                    if hasAlpha {
                                        let a = base + colorChannels * (wide ? 2 : 1)
                                        dst[a] = alphaIn[p]
                                        if wide { dst[a + 1] = alphaLowIn[p] &+ alphaIn[p] }
                                    }
                                }
                                return true
                            }
                        }
                    }
                }
            }
            guard ok else {
                throw LayoutError.inconsistentPlanes("model pixels are not a valid \(header.kindDescription) gray value")
            }
        case .palette:
            guard let bytes = planes.removeValue(forKey: .palette), !bytes.isEmpty, bytes.count % 3 == 0,
                bytes.count / 3 <= min(256, 1 << header.bitDepth)
            else {
                throw LayoutError.inconsistentPlanes("missing or invalid palette plane")
            }
            palette = bytes
            if let indices = planes.removeValue(forKey: .paletteIndices) {
                guard indices.count == count else {
                    throw LayoutError.inconsistentPlanes("palette indices plane has \(indices.count) bytes, expected \(count)")
                }
                samples = indices
            } else {
                samples = try paletteIndices(
                    model: model, palette: palette, bitDepth: header.bitDepth,
                    ranks: planes.removeValue(forKey: .paletteRank) ?? [])
            }
        }
        if let unexpected = planes.keys.sorted(by: { $0.rawValue < $1.rawValue }).first {
            throw LayoutError.inconsistentPlanes("unexpected \(unexpected) plane for a \(header.kindDescription) image")
        }
        return try RasterImage(
            width: header.width, height: header.height, colorType: header.colorType,
            bitDepth: header.bitDepth, samples: samples, palette: palette,
            transparency: transparency, chunks: chunks, isInterlaced: header.isInterlaced)
    }

    private static func paletteIndices(model: ModelImage, palette: [UInt8], bitDepth: Int, ranks: [UInt8]) throws -> [UInt8] {
        let table = PaletteTable(palette: palette, bitDepth: bitDepth)
        let count = model.width * model.height
        var samples = [UInt8](repeating: 0, count: count)
        var cursor = 0
        var lastKey: UInt32 = .max
        var lastGroup: PaletteTable.Group? = nil
        try model.pixels.withUnsafeBufferPointer { src in
            try samples.withUnsafeMutableBufferPointer { dst in
                for p in 0..<count {
                    let key = UInt32(src[3 * p]) << 16 | UInt32(src[3 * p + 1]) << 8 | UInt32(src[3 * p + 2])
                    if key != lastKey {
                        lastKey = key
                        lastGroup = table.groups[key]
                    }
                    guard let group = lastGroup else {
                        throw LayoutError.inconsistentPlanes("a decoded colour is not in the palette")
                    }
                    if group.indices.count == 1 {
                        dst[p] = group.indices[0]
                    } else {
                        guard cursor < ranks.count, Int(ranks[cursor]) < group.indices.count else {
                            throw LayoutError.inconsistentPlanes("palette ranks are missing or out of range")
                        }
                        dst[p] = group.indices[Int(ranks[cursor])]
                        cursor += 1
                    }
                }
            }
        }
        guard cursor == ranks.count else { throw LayoutError.inconsistentPlanes("palette ranks plane is too long") }
        return samples
    }

    // MARK: chunks plane: u16 count, then per chunk 4 name bytes, 1 location byte, u32 length, data (LE).

    static func serialize(_ chunks: [PNGChunk]) -> [UInt8] {
        var writer = ByteWriter()
        writer.append(UInt16(chunks.count))
        for chunk in chunks {
            writer.append(Array(chunk.name.utf8.prefix(4)))
            writer.append(chunk.location.rawValue)
            writer.append(UInt32(chunk.data.count))
            writer.append(chunk.data)
        }
        return writer.bytes
    }

    static func deserializeChunks(_ bytes: [UInt8]) throws -> [PNGChunk] {
        var reader = ByteReader(bytes)
        do {
            let count = Int(try reader.readUInt16())
            var chunks: [PNGChunk] = []
            for _ in 0..<count {
                let name = String(decoding: try reader.readBytes(4), as: UTF8.self)
                guard let location = PNGChunk.Location(rawValue: try reader.readUInt8()) else {
                    throw LayoutError.inconsistentPlanes("invalid chunk location")
                }
                let length = Int(try reader.readUInt32())
                chunks.append(try PNGChunk(name: name, location: location, data: try reader.readBytes(length)))
            }
            guard reader.isAtEnd else { throw LayoutError.inconsistentPlanes("trailing bytes in the chunks plane") }
            return chunks
        } catch is ByteReaderError {
            throw LayoutError.inconsistentPlanes("truncated chunks plane")
        } catch PNGError.invalidImage(let reason) {
            throw LayoutError.inconsistentPlanes(reason)
        }
    }
}
