// Placeholder until the ImageBuilder target lands.
