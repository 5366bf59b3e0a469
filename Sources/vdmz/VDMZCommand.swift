import ArgumentParser
import Codec

@main
struct VDMZ: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vdmz", abstract: "Lossless image compression with a diffusion prior.",
        subcommands: [Compress.self, Decompress.self, Info.self, Rate.self, Sample.self, Join.self])

    /// Installs the signal handling (`InterruptCleanup`) before anything runs.
    static func main() {
        InterruptCleanup.install()
        main(nil)
    }
}
