import ExactMath
import Imaging
import TestSupport

// Test images of the context coder's tests.

/// A model image from a pixel function.
func image(_ width: Int, _ height: Int, _ pixel: (Int, Int) -> (UInt8, UInt8, UInt8)) throws -> ModelImage {
    var pixels: [UInt8] = []
    pixels.reserveCapacity(width * height * 3)
    for y in 0..<height { for x in 0..<width { let (r, g, b) = pixel(x, y); pixels += [r, g, b] } }
    return try ModelImage(width: width, height: height, pixels: pixels)
}

/// Smooth ramps with noise in red and random blue.
func noisy(_ width: Int, _ height: Int, seed: UInt64) throws -> ModelImage {
    var random = SplitMix64(seed: seed)
    return try image(width, height) { x, y in
        let base = (x * 3 + y * 5) & 255
        return (
            UInt8(truncatingIfNeeded: base + Int(random.next() % 9)), UInt8(truncatingIfNeeded: base * 2),
            random.nextByte()
        )
    }
}

/// Flat rectangles of a few colours: what neighbour matching is for.
func graphic(_ width: Int, _ height: Int) throws -> ModelImage {
    try image(width, height) { x, y in
        let colours: [(UInt8, UInt8, UInt8)] = [(255, 255, 255), (20, 40, 200), (250, 10, 10), (0, 0, 0)]
        return colours[(x / 7 + y / 5) % 4]
    }
}
