/// How one stripe is coded: either predictively, with a colour transform and optionally neighbour
/// matching and bias cancellation (`StripeCoder`), or as palette indices (`PaletteStripeCoder`). Stored as
/// one byte: bits 0–1 the transform, bit 2 neighbour matching, bit 4 bias cancellation, bit 5 (payload
/// version 2 on) the weighted model (`WeightedStripeCoder`, which always cancels bias: bit 4 then 0), the
/// other bits 0; or exactly 8 for the palette mode. From payload version 3 on, bit 6 adds the copy layer
/// (`CopyCoder`) to any of these. From payload version 4 on, 128 | transform (gray or RGB only) is the
/// raw mode (`RawStripeCoder`: 8 plain bits a sample, no other bit). From payload version 5 on, 9 with
/// bits 2, 4, 5 and 6 as above is the indexed mode (`IndexedStripe`: a palette of up to 256 colours and the
/// plane of its indices, coded as a gray plane with those bits).
struct StripeMode: Equatable {
    var transform: ColourTransform
    /// Whether each pixel first codes which neighbour (W, N, NE, NW) it equals, if any (for graphics).
    var matchesNeighbours: Bool
    /// Whether predictions are corrected by the mean error of their context (helps photographs by up to
    /// 1 %, hurts sharp graphics by 3–7 %: measured, so the encoder tries both).
    var cancelsBias = false
    /// The weighted model (`WeightedStripeCoder`, payload version 2) instead of `StripeCoder`.
    var usesWeightedPredictor = false
    /// The few-colour mode: a palette and one index per pixel (transform and matching do not apply).
    var usesPalette = false
    /// The copy layer (`CopyCoder`, payload version 3, mode bit 6) over the model of the other bits.
    var usesCopies = false
    /// The raw mode (`RawStripeCoder`, payload version 4, mode bit 7): 8 plain bits a sample of `transform`.
    var isRaw = false
    /// The indexed mode (`IndexedStripe`, payload version 5): a palette of up to 256 colours and its index
    /// plane, coded as a gray plane under the other bits (`transform` is then `.gray`).
    var usesIndices = false

    static let palette = StripeMode(transform: .rgb, matchesNeighbours: false, usesPalette: true)

    /// The raw mode of `transform` (gray or RGB: `RawStripeCoder.accepts`).
    static func raw(_ transform: ColourTransform) -> StripeMode {
        var mode = StripeMode(transform: transform, matchesNeighbours: false)
        mode.isRaw = true
        return mode
    }

    /// The indexed mode with these predictive bits (`weighted`: `WeightedStripeCoder`, which always
    /// cancels bias).
    static func indexed(matchesNeighbours: Bool, cancelsBias: Bool = false, weighted: Bool = false) -> StripeMode {
        var mode = StripeMode(transform: .gray, matchesNeighbours: matchesNeighbours, cancelsBias: cancelsBias && !weighted)
        mode.usesWeightedPredictor = weighted
        mode.usesIndices = true
        return mode
    }

    /// The mode that codes an indexed stripe's index plane: the same predictive bits on one gray plane.
    var indexPlaneMode: StripeMode {
        var mode = self
        mode.usesIndices = false
        mode.transform = .gray
        return mode
    }

    var byte: UInt8 {
        if isRaw { return 128 | transform.rawValue }
        if usesIndices {
            return 9 | (matchesNeighbours ? 4 : 0) | (cancelsBias ? 16 : 0) | (usesWeightedPredictor ? 32 : 0)
                | (usesCopies ? 64 : 0)
        }
        return
            (usesPalette
            ? 8
            : transform.rawValue | (matchesNeighbours ? 4 : 0) | (cancelsBias ? 16 : 0) | (usesWeightedPredictor ? 32 : 0))
            | (usesCopies ? 64 : 0)
    }

    /// The same model with the copy layer.
    var withCopies: StripeMode {
        var mode = self
        mode.usesCopies = true
        return mode
    }

    /// A weighted-model mode (payload version 2).
    static func weighted(_ transform: ColourTransform, matchesNeighbours: Bool) -> StripeMode {
        var mode = StripeMode(transform: transform, matchesNeighbours: matchesNeighbours)
        mode.usesWeightedPredictor = true
        return mode
    }

    init(transform: ColourTransform, matchesNeighbours: Bool, cancelsBias: Bool = false, usesPalette: Bool = false) {
        self.transform = transform
        self.matchesNeighbours = matchesNeighbours
        self.cancelsBias = cancelsBias
        self.usesPalette = usesPalette
    }

    /// The mode of a stored byte of a payload of `version`, or nil for a byte no encoder of it writes.
    init?(byte: UInt8, version: UInt8 = ContextPixelCoder.currentVersion) {
        if version >= 4 && byte & 128 != 0 {
            guard let transform = ColourTransform(rawValue: byte & ~128), RawStripeCoder.accepts(transform) else { return nil }
            self = .raw(transform)
            return
        }
        if version >= 3 && byte & 64 != 0 {
            // Copies go over the modes of version 2, and from version 5 on over the indexed ones too.
            guard let base = StripeMode(byte: byte & ~64, version: version >= 5 ? 5 : 2), !base.isRaw else { return nil }
            self = base.withCopies
            return
        }
        if byte == 8 { self = .palette; return }
        if version >= 5 && byte & 8 != 0 {
            let weighted = byte & 32 != 0, bias = byte & 16 != 0
            guard byte & 3 == 1, byte & ~61 == 0, !(weighted && bias) else { return nil }
            self = .indexed(matchesNeighbours: byte & 4 != 0, cancelsBias: bias, weighted: weighted)
            return
        }
        if version >= 2 && byte & 32 != 0 {
            guard byte & ~39 == 0, let transform = ColourTransform(rawValue: byte & 3) else { return nil }
            self = .weighted(transform, matchesNeighbours: byte & 4 != 0)
            return
        }
        guard byte & ~23 == 0, let transform = ColourTransform(rawValue: byte & 3) else { return nil }
        self.init(transform: transform, matchesNeighbours: byte & 4 != 0, cancelsBias: byte & 16 != 0)
    }
}
