// `import Storyline` brings in every layer's public API: library users, the CLI and the
// benchmarks see one module, while the layers below stay apart.
@_exported import StorylineAnalysis
@_exported import StorylineCluster
@_exported import StorylineCore
@_exported import StorylineIngest
@_exported import StorylineReport
@_exported import StorylineSimilarity
@_exported import StorylineStore
@_exported import StorylineText
@_exported import StorylineVectors
