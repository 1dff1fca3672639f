// Placeholder until the WasmToC target lands.
