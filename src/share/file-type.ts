/**
 * Coarse file types for search filters (`/search -type audio ...`), decided
 * by the extension alone: the same rule for local index filters and for hits
 * from any protocol, so a filter means the same thing everywhere.
 */
export const FILE_TYPES = ['audio', 'video', 'image', 'document', 'archive', 'program'] as const;

/** One of FILE_TYPES. */
export type FileType = (typeof FILE_TYPES)[number];

const BY_EXTENSION: ReadonlyMap<string, FileType> = new Map(
  (
    [
      ['audio', 'mp3 ogg oga opus flac wav aac m4a wma aiff aif ape mid midi mod xm it s3m'],
      ['video', 'avi mkv mp4 m4v mov wmv mpg mpeg webm flv ogv 3gp ts vob'],
      ['image', 'jpg jpeg png gif bmp webp tif tiff svg ico heic psd'],
      ['document', 'txt pdf doc docx odt rtf md html htm epub mobi xls xlsx ods ppt pptx odp csv tex ps nfo'],
      ['archive', 'zip rar 7z tar gz tgz bz2 xz zst iso lz lzma cab'],
      ['program', 'exe msi dmg deb rpm apk appimage jar bin sh bat com app'],
    ] as const
  ).flatMap(([type, exts]) => exts.split(' ').map((e) => [e, type] as const)),
);

/** Longest extension we consider one (`.appimage`); longer tails are no extension. */
const MAX_EXTENSION_CHARS = 10;

/** The lower-case extension of a name without its dot, or '' when it has none. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1 || name.length - dot - 1 > MAX_EXTENSION_CHARS) return '';
  const ext = name.slice(dot + 1).toLowerCase();
  return /[\s/\\]/.test(ext) ? '' : ext;
}

/** The type of a file by its extension, or undefined when the extension is unknown. */
export function fileTypeOf(name: string): FileType | undefined {
  return BY_EXTENSION.get(extensionOf(name));
}

/** Narrows user input to a FileType. */
export function isFileType(s: string): s is FileType {
  return (FILE_TYPES as readonly string[]).includes(s);
}
