/// A channels-last (HWC) activation map with a one-pixel zero border, the input layout of
/// `Convolution3x3`: pixel (y, x) with y ∈ −1…height, x ∈ −1…width lies at
/// `((y + 1) * paddedWidth + (x + 1)) * channels`, and its `channels` values are contiguous.
///
/// Invariant: the border pixels are zero (the kernels write interior pixels only), which is the
/// convolution's zero padding. The map can be reshaped to any size within its capacity (for tiles);
/// reshaping re-zeroes the new border and leaves the interior to be overwritten. Not shared between
/// threads except for disjoint writes by the kernels.
final class FeatureMap {
    private(set) var width: Int
    private(set) var height: Int
    let channels: Int
    private(set) var paddedWidth: Int
    let storage: UnsafeMutablePointer<Float>
    /// Floats allocated.
    let capacity: Int

    /// A zeroed map; `capacityPixels` (≥ (width + 2)·(height + 2)) lets it be reshaped up to that size.
    init(width: Int, height: Int, channels: Int, capacityPixels: Int? = nil) {
        self.width = width
        self.height = height
        self.channels = channels
        paddedWidth = width + 2
        capacity = max(capacityPixels ?? 0, (height + 2) * (width + 2)) * channels
        storage = .allocate(capacity: capacity)
        storage.initialize(repeating: 0, count: capacity)
    }

    deinit { storage.deallocate() }

    /// Reinterprets the storage as a width × height map and zeroes its border.
    func reshape(width: Int, height: Int) {
        precondition((width + 2) * (height + 2) * channels <= capacity)
        if width == self.width && height == self.height { return }
        self.width = width
        self.height = height
        paddedWidth = width + 2
        let rowFloats = paddedWidth * channels
        (storage).update(repeating: 0, count: rowFloats)
        (storage + (height + 1) * rowFloats).update(repeating: 0, count: rowFloats)
        for y in 0..<height {
            pixel(y, -1).update(repeating: 0, count: channels)
            pixel(y, width).update(repeating: 0, count: channels)
        }
    }

    /// Pointer to channel 0 of interior pixel (y, x); −1 and width/height address the zero border.
    @inline(__always)
    func pixel(_ y: Int, _ x: Int) -> UnsafeMutablePointer<Float> {
        storage + ((y + 1) * paddedWidth + (x + 1)) * channels
    }
}
