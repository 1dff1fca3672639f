// Placeholder until the Monitor target lands.
