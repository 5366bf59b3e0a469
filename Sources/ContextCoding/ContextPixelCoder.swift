import ANS
import Foundation
import Imaging
import Parallelism
import PixelCoding

/// The classical coder (docs/DESIGN.md §2.12): a fast lossless context-modelling coder of the model
/// planes, beside the bits-back VDM coder, with no network. Its symbols go onto the same kind of ANS
/// `Message` as the chain's, through `pushForSequentialPop`, so it can share a stack with bits-back.
///
/// An image is cut into stripes of `stripeRows(width:)` rows; each stripe is coded with a fresh adaptive
/// model (`StripeCoder`) under the mode (`StripeMode`: colour transform, neighbour matching) that the
/// encoder measured smallest among the candidates: gray (one plane) when the stripe has R = G = B, else
/// RGB, subtract-green and YCoCg-R, each with and without neighbour matching and bias cancellation; a
/// stripe of few colours also as a palette (`PaletteStripeCoder`, up to 32) and as the plane of its palette
/// indices (`IndexedStripe`, up to 256). Payload layout: docs/FORMAT.md §2.4.
public struct ContextPixelCoder: PixelCoder {
    /// The newest payload version: 5 (adds the indexed mode, mode byte 9; 4 added the raw mode, mode bit 7;
    /// 3 the copy layer, mode bit 6). This build reads 1…5; it writes the lowest version whose modes the
    /// payload uses: 5 when a stripe is indexed, else 4 when a stripe is raw, else 3 when a stripe uses the
    /// copy layer, else 2 (such payloads are valid ones of that version).
    public static let currentVersion: UInt8 = 5
    /// Pixels per stripe at most (when the width allows): bounds the encoder's memory.
    public static let stripePixels = 1 << 20
    /// Threads the encoder tries a stripe's candidate modes on (at least 1). The bytes do not depend on
    /// it: every candidate is coded whole by one thread, and the smallest wins, the first in
    /// `candidates(for:width:firstRow:rows:)`'s order among equal sizes, as one thread would choose.
    public let threads: Int

    /// A coder that tries the candidate modes on one thread.
    public init() {
        self.init(threads: 1)
    }

    public init(threads: Int) {
        self.threads = max(1, threads)
    }

    public var kind: PixelCoderKind { .context }
    public var modelHash: [UInt8] { noModelHash }
    public var steps: Int { 0 }

    /// Rows per stripe of an image of `width` pixels: ⌊2^20 / width⌋, at least 1.
    public static func stripeRows(width: Int) -> Int { max(1, stripePixels / width) }

    /// Number of stripes of an image.
    static func stripeCount(width: Int, height: Int) -> Int {
        let rows = stripeRows(width: width)
        return (height + rows - 1) / rows
    }

    public func encode(_ images: [ModelImage], progress: CodingProgress?) throws -> [UInt8] {
        var message = try Message(laneCount: 1)
        var modes: [UInt8] = []
        let totalRows = images.reduce(0) { $0 + $1.height }
        var rowsDone = 0
        for image in images {
            let rowsPerStripe = Self.stripeRows(width: image.width)
            let count = Self.stripeCount(width: image.width, height: image.height)
            var imageModes = [UInt8](repeating: 0, count: count)
            // The decoder decodes the stripes top to bottom, so they go onto the stack bottom first.
            for stripe in stride(from: count - 1, through: 0, by: -1) {
                let y0 = stripe * rowsPerStripe
                let rows = min(rowsPerStripe, image.height - y0)
                let (mode, intervals) = try Self.bestCoding(of: image, firstRow: y0, rows: rows, threads: threads)
                message.pushForSequentialPop(intervals)
                imageModes[stripe] = mode.byte
                rowsDone += rows
                progress?(Double(rowsDone) / Double(max(1, totalRows)))
            }
            modes.append(contentsOf: imageModes)
        }
        let version: UInt8 =
            modes.contains { $0 & 137 == 9 }
            ? 5  // indexed: bits 0 and 3, not 7
            : modes.contains { $0 & 128 != 0 } ? 4 : modes.contains { $0 & 64 != 0 } ? 3 : 2
        return [version] + modes + message.serialized()
    }

    public func decode(_ payload: [UInt8], shapes: [ModelImageShape], progress: CodingProgress?) throws -> [ModelImage] {
        guard let version = payload.first else { throw ContextCodingError.corruptPayload }
        guard (1...Self.currentVersion).contains(version) else { throw ContextCodingError.unsupportedVersion(Int(version)) }
        var modeCount = 0
        for shape in shapes {
            guard shape.subpixelCount != nil else { throw ContextCodingError.corruptPayload }
            modeCount += Self.stripeCount(width: shape.width, height: shape.height)
            guard modeCount < payload.count else { throw ContextCodingError.corruptPayload }
        }
        var modes: [StripeMode] = []
        for byte in payload[1..<1 + modeCount] {
            guard let mode = StripeMode(byte: byte, version: version) else { throw ContextCodingError.corruptPayload }
            modes.append(mode)
        }
        var message: Message
        do { message = try Message(serialized: Array(payload[(1 + modeCount)...])) } catch {
            throw ContextCodingError.corruptPayload
        }
        guard message.laneCount == 1 else { throw ContextCodingError.corruptPayload }
        var images = [ModelImage?](repeating: nil, count: shapes.count)
        var modeEnd = modeCount
        let totalRows = shapes.reduce(0) { $0 + $1.height }
        var rowsDone = 0
        for index in stride(from: shapes.count - 1, through: 0, by: -1) {
            let shape = shapes[index]
            let count = Self.stripeCount(width: shape.width, height: shape.height)
            let imageModes = Array(modes[(modeEnd - count)..<modeEnd])
            modeEnd -= count
            var pixels = [UInt8](repeating: 0, count: shape.width * shape.height * 3)
            let rowsPerStripe = Self.stripeRows(width: shape.width)
            for stripe in 0..<count {
                let y0 = stripe * rowsPerStripe
                let rows = min(rowsPerStripe, shape.height - y0)
                try Self.decodeStripe(
                    into: &pixels, width: shape.width, firstRow: y0, rows: rows,
                    mode: imageModes[stripe], from: &message)
                rowsDone += rows
                progress?(Double(rowsDone) / Double(max(1, totalRows)))
            }
            images[index] = try ModelImage(width: shape.width, height: shape.height, pixels: pixels)
        }
        guard message == (try Message(laneCount: 1)) else { throw ContextCodingError.corruptPayload }
        return images.map { $0! }
    }

    /// The distinct colours (R·2^16 + G·2^8 + B) of the stripe in ascending order, or nil when there are
    /// more than `limit`.
    static func palette(
        of pixels: [UInt8], width: Int, firstRow: Int, rows: Int, limit: Int = PaletteStripeCoder.maxColours
    ) -> [UInt32]? {
        var colours = Set<UInt32>()
        var last: UInt32 = .max
        for i in stride(from: firstRow * width * 3, to: (firstRow + rows) * width * 3, by: 3) {
            let colour = UInt32(pixels[i]) << 16 | UInt32(pixels[i + 1]) << 8 | UInt32(pixels[i + 2])
            if colour == last { continue }
            last = colour
            colours.insert(colour)
            if colours.count > limit { return nil }
        }
        return colours.sorted()
    }

    /// The candidate modes of a stripe: gray alone when every pixel (of the stripe) has R = G = B.
    static func candidates(for pixels: [UInt8], width: Int, firstRow: Int, rows: Int) -> [StripeMode] {
        let isGray = pixels.withUnsafeBufferPointer { p -> Bool in
            for i in stride(from: firstRow * width * 3, to: (firstRow + rows) * width * 3, by: 3)
            where p[i] != p[i + 1] || p[i] != p[i + 2] { return false }
            return true
        }
        let transforms: [ColourTransform] = isGray ? [.gray] : [.rgb, .subtractGreen, .ycocg]
        let colours = palette(of: pixels, width: width, firstRow: firstRow, rows: rows, limit: IndexedStripe.maxColours)
        var modes: [StripeMode] = (colours?.count ?? .max) <= PaletteStripeCoder.maxColours ? [.palette] : []
        for transform in transforms {
            for matching in [false, true] {
                for bias in [false, true] {
                    modes.append(StripeMode(transform: transform, matchesNeighbours: matching, cancelsBias: bias))
                }
                modes.append(.weighted(transform, matchesNeighbours: matching))
            }
        }
        // After the modes above, so that they keep the stripes where the indices are not strictly smaller.
        if let colours, IndexedStripe.isWorthTrying(colours, isGray: isGray) {
            for matching in [false, true] {
                for bias in [false, true] { modes.append(.indexed(matchesNeighbours: matching, cancelsBias: bias)) }
                modes.append(.indexed(matchesNeighbours: matching, weighted: true))
            }
        }
        modes.append(.raw(isGray ? .gray : .rgb))  // last: kept only where strictly smaller (noise)
        return modes
    }

    /// Codes a stripe under every candidate mode and keeps the one with the fewest bytes on a message; then
    /// the best mode with the copy layer (`CopyParser`'s parse priced by that mode's own symbols), when
    /// the parse promises to save and the stripe really is smaller so. Where the best mode is indexed or
    /// not and the best of the other family is within a quarter of its size, that one is tried with the copy
    /// layer too (the copies can reverse the order: a palette stripe of waterloo_squares was 4 bytes larger
    /// without this). The candidates are tried on up to `threads` threads (the same choice for any number;
    /// at most one recording per thread and the best of each family so far are held at once, then the two
    /// finalists and their copy-layer recordings); an error is the first candidate's in their order, as one
    /// thread meets it.
    static func bestCoding(of image: ModelImage, firstRow: Int, rows: Int, threads: Int = 1) throws -> (StripeMode, [UInt32]) {
        let modes = candidates(for: image.pixels, width: image.width, firstRow: firstRow, rows: rows)
        let trials = CandidateTrials()
        ParallelLoop.forEachChunk(count: modes.count, threads: threads) { range in
            for index in range {
                do {
                    let recorder = try recording(image, firstRow: firstRow, rows: rows, mode: modes[index])
                    trials.offer(index: index, mode: modes[index], recorder: recorder, size: try messageSize(of: recorder))
                } catch {
                    trials.fail(index: index, error: error)
                }
            }
        }
        let (first, second) = try trials.result()
        var finalists = [first]
        if let second, second.size <= first.size + first.size / 4 { finalists.append(second) }
        // Each finalist with the copy layer, on the threads; then the smallest of all, the earlier on ties.
        var withCopies = [(mode: StripeMode, recorder: IntervalRecorder, size: Int)?](repeating: nil, count: finalists.count)
        var failures = [(any Error)?](repeating: nil, count: finalists.count)
        withCopies.withUnsafeMutableBufferPointer { withCopies in
            failures.withUnsafeMutableBufferPointer { failures in
                // Each thread writes only the elements of its own range.
                ParallelLoop.forEachChunk(count: finalists.count, threads: threads) { range in
                    for k in range {
                        do {
                            withCopies[k] = try copyCoding(of: image, firstRow: firstRow, rows: rows, literal: finalists[k])
                        } catch {
                            failures[k] = error
                        }
                    }
                }
            }
        }
        if let failure = failures.compactMap({ $0 }).first { throw failure }
        var best = first
        for candidate in withCopies.compactMap({ $0 }) where candidate.size < best.size { best = candidate }
        return (best.mode, best.recorder.intervals)
    }

    /// The stripe under `literal`'s mode with the copy layer, or nil when the parse does not promise to save
    /// (or the mode is raw).
    static func copyCoding(
        of image: ModelImage, firstRow: Int, rows: Int, literal: (mode: StripeMode, recorder: IntervalRecorder, size: Int)
    ) throws -> (mode: StripeMode, recorder: IntervalRecorder, size: Int)? {
        guard !literal.mode.isRaw,
            let parse = copyParser(image, firstRow: firstRow, rows: rows, literalCosts: literal.recorder.pixelCosts()).parse(),
            parse.cost < parse.literalCost - parse.literalCost / 256
        else { return nil }
        let mode = literal.mode.withCopies
        let recorder = try recording(image, firstRow: firstRow, rows: rows, mode: mode, plan: parse.plan)
        return (mode, recorder, try messageSize(of: recorder))
    }

    /// Bytes of a one-lane message holding `recorder`'s intervals: what a candidate mode costs.
    private static func messageSize(of recorder: IntervalRecorder) throws -> Int {
        var scratch = try Message(laneCount: 1)
        scratch.pushForSequentialPop(recorder.intervals)
        return scratch.serializedByteCount
    }

    /// The copy parser of a stripe: its pixels as keys, hashed over more pixels the fewer colours it has.
    static func copyParser(_ image: ModelImage, firstRow: Int, rows: Int, literalCosts: [Int32]) -> CopyParser {
        let w = image.width
        var keys = [UInt32](repeating: 0, count: rows * w)
        var colours = Set<UInt32>()
        image.pixels.withUnsafeBufferPointer { src in
            for p in 0..<(rows * w) {
                let s = (firstRow * w + p) * 3
                keys[p] = UInt32(src[s]) << 16 | UInt32(src[s + 1]) << 8 | UInt32(src[s + 2])
                if colours.count <= 256 && (p == 0 || keys[p] != keys[p - 1]) { colours.insert(keys[p]) }
            }
        }
        let bits = max(1, Int.bitWidth - (max(colours.count, 2) - 1).leadingZeroBitCount)
        return CopyParser(width: w, keys: keys, literalCosts: literalCosts, keyLength: bits == 1 ? 32 : max(3, 16 / bits))
    }

    /// The intervals of a stripe under `mode`, in model order (with the copy layer: under the parse
    /// `CopyParser` finds over the same mode's symbols without it).
    static func intervalsOf(_ image: ModelImage, firstRow: Int, rows: Int, mode: StripeMode) throws -> [UInt32] {
        guard mode.usesCopies else { return try recording(image, firstRow: firstRow, rows: rows, mode: mode).intervals }
        var literal = mode
        literal.usesCopies = false
        let costs = try recording(image, firstRow: firstRow, rows: rows, mode: literal).pixelCosts()
        let plan = copyParser(image, firstRow: firstRow, rows: rows, literalCosts: costs).parse()?.plan ?? []
        return try recording(image, firstRow: firstRow, rows: rows, mode: mode, plan: plan).intervals
    }

    /// The symbols of a stripe under `mode` (with the copy layer: making the copies of `plan`).
    static func recording(
        _ image: ModelImage, firstRow: Int, rows: Int, mode: StripeMode, plan: [CopyMatch] = []
    ) throws -> IntervalRecorder {
        let copies = mode.usesCopies ? CopyCoder(width: image.width, pixelCount: rows * image.width, plan: plan) : nil
        if mode.usesPalette {
            var palette = palette(of: image.pixels, width: image.width, firstRow: firstRow, rows: rows)!
            var recorder = IntervalRecorder()
            try PaletteStripeCoder.codePalette(&recorder, &palette)
            var indices = PaletteIndexPlane.make(
                image.pixels, width: image.width, firstRow: firstRow, rows: rows, rowsAbove: 2, palette: palette)
            let coder = PaletteStripeCoder(width: image.width, rows: rows, hasRowAbove: firstRow > 0)
            try indices.withUnsafeMutableBufferPointer {
                try coder.run(&recorder, indices: $0.baseAddress!, colours: palette.count, copies: copies)
            }
            return recorder
        }
        if mode.usesIndices {
            var palette = palette(
                of: image.pixels, width: image.width, firstRow: firstRow, rows: rows, limit: IndexedStripe.maxColours)!
            var recorder = IntervalRecorder()
            try IndexedStripe.codePalette(&recorder, &palette)
            var plane = PaletteIndexPlane.make(
                image.pixels, width: image.width, firstRow: firstRow, rows: rows, rowsAbove: 1, palette: palette)
            recorder.intervals.reserveCapacity(image.width * rows * 2)
            try plane.withUnsafeMutableBufferPointer {
                try runPredictive(
                    mode.indexPlaneMode, &recorder, planes: $0.baseAddress!, width: image.width, rows: rows,
                    firstRow: firstRow, copies: copies)
            }
            return recorder
        }
        var planes = transformedPlanes(
            image.pixels, width: image.width, firstRow: firstRow, rows: rows,
            transform: mode.transform)
        var recorder = IntervalRecorder()
        recorder.intervals.reserveCapacity(image.width * rows * (mode.transform.planeCount + 1))
        if mode.isRaw {
            try planes.withUnsafeMutableBufferPointer {
                try RawStripeCoder(width: image.width, rows: rows, planeCount: mode.transform.planeCount)
                    .run(&recorder, planes: $0.baseAddress!)
            }
            return recorder
        }
        try planes.withUnsafeMutableBufferPointer {
            try runPredictive(
                mode, &recorder, planes: $0.baseAddress!, width: image.width, rows: rows, firstRow: firstRow, copies: copies)
        }
        return recorder
    }

    /// Runs the predictive model of `mode` (`StripeCoder`, or `WeightedStripeCoder` for mode bit 5) over a stripe.
    static func runPredictive<S: SymbolStream>(
        _ mode: StripeMode, _ stream: inout S, planes: UnsafeMutablePointer<Int32>, width: Int, rows: Int, firstRow: Int,
        copies: CopyCoder?
    ) throws {
        if mode.usesWeightedPredictor {
            try WeightedStripeCoder(width: width, rows: rows, hasRowAbove: firstRow > 0, mode: mode)
                .run(&stream, planes: planes, copies: copies)
        } else {
            try StripeCoder(width: width, rows: rows, hasRowAbove: firstRow > 0, mode: mode)
                .run(&stream, planes: planes, copies: copies)
        }
    }

    /// Planes of rows firstRow − 1 ..< firstRow + rows (row firstRow − 1 only when it exists; else zeros).
    static func transformedPlanes(
        _ pixels: [UInt8], width: Int, firstRow: Int, rows: Int,
        transform: ColourTransform
    ) -> [Int32] {
        let planeStride = (rows + 1) * width
        var planes = [Int32](repeating: 0, count: transform.planeCount * planeStride)
        let startRow = max(0, firstRow - 1)
        pixels.withUnsafeBufferPointer { src in
            planes.withUnsafeMutableBufferPointer { dst in
                for y in startRow..<(firstRow + rows) {
                    let row = y - firstRow + 1
                    for x in 0..<width {
                        let s = (y * width + x) * 3
                        let (a, b, c) = transform.forward(Int32(src[s]), Int32(src[s + 1]), Int32(src[s + 2]))
                        let d = row * width + x
                        dst[d] = a
                        if transform.planeCount == 3 {
                            dst[planeStride + d] = b
                            dst[2 * planeStride + d] = c
                        }
                    }
                }
            }
        }
        return planes
    }

    /// Decodes a stripe into the HWC `pixels` (the rows above it are already decoded there).
    static func decodeStripe(
        into pixels: inout [UInt8], width: Int, firstRow: Int, rows: Int, mode: StripeMode,
        from message: inout Message
    ) throws {
        if mode.usesPalette {
            try decodePaletteStripe(
                into: &pixels, width: width, firstRow: firstRow, rows: rows, copies: mode.usesCopies, from: &message)
            return
        }
        if mode.usesIndices {
            try decodeIndexedStripe(into: &pixels, width: width, firstRow: firstRow, rows: rows, mode: mode, from: &message)
            return
        }
        var planes = transformedPlanes(pixels, width: width, firstRow: firstRow, rows: rows, transform: mode.transform)
        try planes.withUnsafeMutableBufferPointer { buffer in
            try message.withSequentialDecoder { decoder in
                var reader = SymbolReader(decoder: decoder)
                defer { decoder = reader.decoder }
                if mode.isRaw {
                    try RawStripeCoder(width: width, rows: rows, planeCount: mode.transform.planeCount)
                        .run(&reader, planes: buffer.baseAddress!)
                    return
                }
                try runPredictive(
                    mode, &reader, planes: buffer.baseAddress!, width: width, rows: rows, firstRow: firstRow,
                    copies: mode.usesCopies ? CopyCoder(width: width, pixelCount: rows * width) : nil)
            }
        }
        let planeStride = (rows + 1) * width
        let three = mode.transform.planeCount == 3
        try planes.withUnsafeBufferPointer { src in
            try pixels.withUnsafeMutableBufferPointer { dst in
                for row in 0..<rows {
                    for x in 0..<width {
                        let d = (row + 1) * width + x
                        guard
                            let (r, g, b) = mode.transform.inverse(
                                src[d], three ? src[planeStride + d] : 0, three ? src[2 * planeStride + d] : 0)
                        else {
                            throw ContextCodingError.corruptPayload
                        }
                        let o = ((firstRow + row) * width + x) * 3
                        dst[o] = r; dst[o + 1] = g; dst[o + 2] = b
                    }
                }
            }
        }
    }

    /// Decodes an indexed stripe (`IndexedStripe`) into the HWC `pixels`.
    static func decodeIndexedStripe(
        into pixels: inout [UInt8], width: Int, firstRow: Int, rows: Int, mode: StripeMode, from message: inout Message
    ) throws {
        var palette: [UInt32] = [0]
        var plane: [Int32] = []
        // One decoding session for the palette and the indices: the encoder pushed them as one run.
        try message.withSequentialDecoder { decoder in
            var reader = SymbolReader(decoder: decoder)
            defer { decoder = reader.decoder }
            try IndexedStripe.codePalette(&reader, &palette)
            plane = PaletteIndexPlane.make(pixels, width: width, firstRow: firstRow, rows: rows, rowsAbove: 1, palette: palette)
            try plane.withUnsafeMutableBufferPointer { buffer in
                try runPredictive(
                    mode.indexPlaneMode, &reader, planes: buffer.baseAddress!, width: width, rows: rows, firstRow: firstRow,
                    copies: mode.usesCopies ? CopyCoder(width: width, pixelCount: rows * width) : nil)
            }
        }
        try PaletteIndexPlane.paint(
            plane, rowsAbove: 1, palette: palette, into: &pixels, width: width, firstRow: firstRow, rows: rows)
    }

    /// Decodes a few-colour stripe (`PaletteStripeCoder`) into the HWC `pixels`.
    static func decodePaletteStripe(
        into pixels: inout [UInt8], width: Int, firstRow: Int, rows: Int, copies: Bool,
        from message: inout Message
    ) throws {
        var palette: [UInt32] = [0]
        var indices: [Int32] = []
        let coder = PaletteStripeCoder(width: width, rows: rows, hasRowAbove: firstRow > 0)
        // One decoding session for the palette and the indices: the encoder pushed them as one run.
        try message.withSequentialDecoder { decoder in
            var reader = SymbolReader(decoder: decoder)
            defer { decoder = reader.decoder }
            try PaletteStripeCoder.codePalette(&reader, &palette)
            indices = PaletteIndexPlane.make(pixels, width: width, firstRow: firstRow, rows: rows, rowsAbove: 2, palette: palette)
            try indices.withUnsafeMutableBufferPointer { buffer in
                try coder.run(
                    &reader, indices: buffer.baseAddress!, colours: palette.count,
                    copies: copies ? CopyCoder(width: width, pixelCount: rows * width) : nil)
            }
        }
        try PaletteIndexPlane.paint(
            indices, rowsAbove: 2, palette: palette, into: &pixels, width: width, firstRow: firstRow, rows: rows)
    }
}

/// The best candidate of `ContextPixelCoder.bestCoding` so far in each family (indexed modes or the
/// others), offered by any thread: the smallest size, the lowest candidate index among equal sizes; and
/// the failure of the lowest index.
private final class CandidateTrials: @unchecked Sendable {
    private let lock = NSLock()
    /// Per family (0: not indexed, 1: indexed) its best so far.
    private var best: [(index: Int, mode: StripeMode, recorder: IntervalRecorder, size: Int)?] = [nil, nil]
    private var failure: (index: Int, error: any Error)?

    func offer(index: Int, mode: StripeMode, recorder: IntervalRecorder, size: Int) {
        lock.lock()
        defer { lock.unlock() }
        let family = mode.usesIndices ? 1 : 0
        if let best = best[family], (best.size, best.index) < (size, index) { return }
        best[family] = (index, mode, recorder, size)
    }

    func fail(index: Int, error: any Error) {
        lock.lock()
        defer { lock.unlock() }
        if let failure, failure.index < index { return }
        failure = (index, error)
    }

    /// The chosen candidate and the best of the other family (nil when it had none), or the first failure
    /// in candidate order.
    func result() throws -> (
        best: (mode: StripeMode, recorder: IntervalRecorder, size: Int),
        otherFamily: (mode: StripeMode, recorder: IntervalRecorder, size: Int)?
    ) {
        lock.lock()
        defer { lock.unlock() }
        if let failure { throw failure.error }
        let families = best.compactMap { $0 }.sorted { ($0.size, $0.index) < ($1.size, $1.index) }
        let pick = { (k: Int) in (families[k].mode, families[k].recorder, families[k].size) }
        return (pick(0), families.count > 1 ? pick(1) : nil)
    }
}
