/// The activation maps of one tile evaluation.
final class TileWorkspace {
    /// h0, the Fourier-feature input.
    let input: FeatureMap
    /// h, the residual stream.
    let stream: FeatureMap
    /// SiLU(h), the input of conv1 and conv_out.
    let activated: FeatureMap
    /// SiLU(a), the input of conv2.
    let hidden: FeatureMap
    /// y = conv_out(SiLU(h)).
    let output: FeatureMap

    /// Padded pixels each map can hold.
    let capacityPixels: Int

    init(metadata m: CheckpointMetadata, capacityPixels: Int) {
        self.capacityPixels = capacityPixels
        input = FeatureMap(width: 0, height: 0, channels: m.inputChannels, capacityPixels: capacityPixels)
        stream = FeatureMap(width: 0, height: 0, channels: m.channels, capacityPixels: capacityPixels)
        activated = FeatureMap(width: 0, height: 0, channels: m.channels, capacityPixels: capacityPixels)
        hidden = FeatureMap(width: 0, height: 0, channels: m.channels, capacityPixels: capacityPixels)
        output = FeatureMap(width: 0, height: 0, channels: m.outputChannels, capacityPixels: capacityPixels)
    }

    func reshape(width: Int, height: Int) {
        for map in [input, stream, activated, hidden, output] { map.reshape(width: width, height: height) }
    }
}
