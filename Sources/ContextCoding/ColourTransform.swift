/// How the RGB model planes of a stripe become the planes the context coder predicts (a reversible
/// integer transform), chosen per stripe by the encoder (the smallest result wins) and recorded in the
/// stripe's mode byte (docs/FORMAT.md §2.4).
enum ColourTransform: UInt8, CaseIterable {
    /// One plane: the gray value (the stripe must have R = G = B at every pixel).
    case gray = 0
    /// Three planes R, G, B as they are.
    case rgb = 1
    /// G, R − G, B − G ("subtract green").
    case subtractGreen = 2
    /// YCoCg-R (Malvar & Sullivan): Co = R − B, t = B + ⌊Co/2⌋, Cg = G − t, Y = t + ⌊Cg/2⌋; planes Y, Co, Cg.
    case ycocg = 3

    /// Planes the transform yields.
    var planeCount: Int { self == .gray ? 1 : 3 }

    /// The range of values plane `plane` can hold: 0…255 for sample planes, −255…255 for differences.
    func range(ofPlane plane: Int) -> ClosedRange<Int32> {
        switch self {
        case .gray, .rgb: return 0...255
        case .subtractGreen, .ycocg: return plane == 0 ? 0...255 : -255...255
        }
    }

    /// The transformed values of one pixel (unused entries are 0).
    @inline(__always)
    func forward(_ r: Int32, _ g: Int32, _ b: Int32) -> (Int32, Int32, Int32) {
        switch self {
        case .gray: return (r, 0, 0)
        case .rgb: return (r, g, b)
        case .subtractGreen: return (g, r - g, b - g)
        case .ycocg:
            let co = r - b
            let t = b + (co >> 1)
            let cg = g - t
            return (t + (cg >> 1), co, cg)
        }
    }

    /// The RGB values of one pixel, or nil when they fall outside 0…255 (a damaged payload).
    @inline(__always)
    func inverse(_ p0: Int32, _ p1: Int32, _ p2: Int32) -> (UInt8, UInt8, UInt8)? {
        let r: Int32, g: Int32, b: Int32
        switch self {
        case .gray: (r, g, b) = (p0, p0, p0)
        case .rgb: (r, g, b) = (p0, p1, p2)
        case .subtractGreen: (r, g, b) = (p1 + p0, p0, p2 + p0)
        case .ycocg:
            let t = p0 - (p2 >> 1)
            let gg = p2 + t
            let bb = t - (p1 >> 1)
            (r, g, b) = (bb + p1, gg, bb)
        }
        guard UInt32(bitPattern: r) < 256, UInt32(bitPattern: g) < 256, UInt32(bitPattern: b) < 256 else { return nil }
        return (UInt8(r), UInt8(g), UInt8(b))
    }
}
