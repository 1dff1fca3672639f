// Placeholder until the ImageFormat target lands.
