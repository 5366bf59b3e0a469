/// One copy of the copy layer (docs/FORMAT.md §2.4, mode bit 6): `length` pixels starting at pixel `start`
/// of the stripe (raster index) equal the pixels `distance` positions earlier, copied forward one by one
/// (so a copy may overlap its own source).
struct CopyMatch: Equatable {
    var start: Int
    var length: Int
    var distance: Int
}

/// The copy layer of payload version 3 (docs/FORMAT.md §2.4, mode bit 6; docs/DESIGN.md §2.12), written
/// once for both sides (`SymbolStream`): an LZ77-style copy mode over a stripe's pixels, under any model.
///
/// At every pixel that no copy covers, before the model codes it, a kind symbol (A = 4): 0 the pixel is
/// a literal (the stripe's model codes it), 1 a copy from the last distance, 2 from the one before
/// (the two then swap), 3 from a new distance, coded as a row offset dy and a column offset dx
/// (distance = dy·w − dx). Then the copy's length − 1. The copied pixels are not coded by the model,
/// as copies of neighbour matching are not. Offsets and lengths are `ExponentToken`s of adaptive
/// distributions; the kind's context is whether the previous pixel was copied and whether the last
/// distance would have been right at W and at N. The distances start as w (the row above) and 1 (W).
struct CopyCoder {
    static let kindContexts = 8
    /// Largest distance and length (and so every token value) the layer writes and reads: 2^24.
    static let maxValue = 1 << 24
    /// Tokens of values below 2^25 (`ExponentToken`: e ≤ 24).
    static let tokenAlphabet = 16 + 2 * (24 - 4 + 1)

    let width: Int
    /// Pixels of the stripe.
    let pixelCount: Int
    /// The encoder's copies, by increasing start (empty for the decoder).
    private let plan: [CopyMatch]
    private var nextCopy = 0
    private var kinds = AdaptiveDistributions(contexts: Self.kindContexts, alphabet: 4)
    private var lengths = AdaptiveDistributions(contexts: 3, alphabet: Self.tokenAlphabet)
    private var rowOffsets = AdaptiveDistributions(contexts: 1, alphabet: Self.tokenAlphabet)
    private var columnOffsets = AdaptiveDistributions(contexts: 3, alphabet: Self.tokenAlphabet)
    /// The last two distances used (initially w and 1).
    private(set) var recent: (Int, Int)
    private var remaining = 0
    private var distance = 0
    private var previousCopied = false

    init(width: Int, pixelCount: Int, plan: [CopyMatch] = []) {
        self.width = width
        self.pixelCount = pixelCount
        self.plan = plan
        recent = (width, 1)
    }

    /// The row and column offsets of `distance` in rows of `width`: dy = ⌊(distance + ⌊w/2⌋) / w⌋,
    /// dx = dy·w − distance (the source is dy rows up and dx columns right, across row ends).
    @inline(__always)
    static func offsets(of distance: Int, width w: Int) -> (dy: Int, dx: Int) {
        let dy = (distance + w / 2) / w
        return (dy, dy * w - distance)
    }

    /// The value the column offset dx is coded as: −dx − 1 when dy = 0 (dx is then negative), else dx zigzagged.
    @inline(__always)
    static func columnValue(dy: Int, dx: Int) -> Int { dy == 0 ? -dx - 1 : (dx >= 0 ? 2 * dx : -2 * dx - 1) }

    /// Codes the copy layer's part of pixel `p` of the stripe (index `i` of `planes`, column x). Returns
    /// whether the pixel is a copy; the decoder has then written it into every plane.
    /// - Throws: `ContextCodingError.corruptPayload` for a copy the decoder cannot make.
    @inline(__always)
    mutating func code<S: SymbolStream>(
        _ stream: inout S, planes: UnsafeMutablePointer<Int32>, planeCount: Int, planeStride: Int, index i: Int,
        pixel p: Int, x: Int
    ) throws -> Bool {
        @inline(__always) func copy() {
            for c in 0..<planeCount { planes[c * planeStride + i] = planes[c * planeStride + i - distance] }
        }
        if remaining > 0 {
            remaining -= 1
            if S.isDecoding { copy() }
            return true
        }
        @inline(__always) func same(_ a: Int, _ b: Int) -> Bool {
            for c in 0..<planeCount where planes[c * planeStride + a] != planes[c * planeStride + b] { return false }
            return true
        }
        let last = recent.0
        let agreesWest = x > 0 && p - 1 - last >= 0 && same(i - 1, i - 1 - last)
        let agreesNorth = p - width - last >= 0 && same(i - width, i - width - last)
        let context = (previousCopied ? 4 : 0) | (agreesWest ? 2 : 0) | (agreesNorth ? 1 : 0)
        var kind = 0
        var length = 0
        if !S.isDecoding, nextCopy < plan.count, plan[nextCopy].start == p {
            let match = plan[nextCopy]
            nextCopy += 1
            distance = match.distance
            length = match.length
            kind = distance == recent.0 ? 1 : distance == recent.1 ? 2 : 3
        }
        stream.code(&kind, kinds, context: context)
        kinds.update(context, with: kind)
        previousCopied = kind != 0
        guard kind != 0 else { return false }
        switch kind {
        case 1:
            distance = recent.0
        case 2:
            distance = recent.1
            recent = (recent.1, recent.0)
        default:
            var (dy, dx) = Self.offsets(of: distance, width: width)
            try Self.codeValue(&stream, &dy, in: &rowOffsets, context: 0)
            var column = Self.columnValue(dy: dy, dx: dx)
            try Self.codeValue(&stream, &column, in: &columnOffsets, context: min(dy, 2))
            if S.isDecoding {
                dx = dy == 0 ? -column - 1 : (column & 1 == 0 ? column >> 1 : -((column + 1) >> 1))
                distance = dy * width - dx
            }
            recent = (distance, recent.0)
        }
        var lengthValue = length - 1
        try Self.codeValue(&stream, &lengthValue, in: &lengths, context: kind - 1)
        if S.isDecoding {
            length = lengthValue + 1
            guard distance >= 1, distance <= p, length <= pixelCount - p else { throw ContextCodingError.corruptPayload }
            copy()
        }
        remaining = length - 1
        return true
    }

    /// Codes a value (0 ≤ value < 2^25) as an `ExponentToken` of `model` in `context` and its raw bits
    /// (more than 16 as two runs, the high bits first).
    @inline(__always)
    private static func codeValue<S: SymbolStream>(
        _ stream: inout S, _ value: inout Int, in model: inout AdaptiveDistributions, context: Int
    ) throws {
        var (token, extra, _) = S.isDecoding ? (0, 0, 0) : ExponentToken.split(value)
        stream.code(&token, model, context: context)
        model.update(context, with: token)
        let bits = ExponentToken.extraBits(of: token)
        if bits > 16 {
            var high = extra >> 16, low = extra & 0xFFFF
            stream.codeRaw(&high, bits: bits - 16)
            stream.codeRaw(&low, bits: 16)
            extra = high << 16 | low
        } else if bits > 0 {
            stream.codeRaw(&extra, bits: bits)
        }
        if S.isDecoding { value = ExponentToken.value(token: token, extra: extra) }
    }
}
