// The error every renderer throws: it names the file (and document) that could not be rendered.
export class RenderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RenderError';
  }
}
