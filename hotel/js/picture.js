// A photo larger than the API takes is scaled down here, in the browser, before it is sent:
// a 12-megapixel phone photo of 6 MB becomes a JPEG or WebP of a few hundred KB.
// The API's limits (functions/hotel_booking/logic/uploads.py): 4.5 MB and 16 megapixels.
export const MAX_PICTURE_BYTES = 4_500_000;
export const MAX_PICTURE_PIXELS = 16_000_000;
// The pages show pictures at most 640 px wide; 2560 px keeps them sharp on any screen.
const MAX_SIDE = 2560;
const QUALITIES = [0.88, 0.8, 0.7, 0.6, 0.5];

async function decode(file) {
  try {
    return await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    return null; // not an image this browser can read: the API will say what is wrong
  }
}

function encode(canvas, type, quality) {
  return new Promise((resolve) => canvas.toBlob(resolve, type, quality));
}

function draw(bitmap, scale) {
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = canvas.getContext("2d");
  context.imageSmoothingQuality = "high";
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return canvas;
}

/**
 * The file to upload: `file` itself when the API takes it as it is, else a scaled-down WebP
 * (or JPEG where the browser cannot write WebP) under both limits. Resolves to
 * `{ file, scaled, width, height }`; `file` is null when a too-large file cannot be read.
 */
export async function fitPicture(file) {
  const bitmap = await decode(file);
  if (!bitmap) return { file: file.size <= MAX_PICTURE_BYTES ? file : null, scaled: false };
  const { width, height } = bitmap;
  if (file.size <= MAX_PICTURE_BYTES && width * height <= MAX_PICTURE_PIXELS) {
    bitmap.close();
    return { file, scaled: false, width, height };
  }
  let scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  try {
    for (let attempt = 0; attempt < 4; attempt += 1, scale /= 2) {
      const canvas = draw(bitmap, scale);
      for (const quality of QUALITIES) {
        let blob = await encode(canvas, "image/webp", quality);
        if (!blob || blob.type !== "image/webp") blob = await encode(canvas, "image/jpeg", quality);
        if (blob && blob.size <= MAX_PICTURE_BYTES) {
          const extension = blob.type === "image/webp" ? "webp" : "jpg";
          const name = `${file.name.replace(/\.[^.]*$/, "") || "picture"}.${extension}`;
          return {
            file: new File([blob], name, { type: blob.type }),
            scaled: true,
            width: canvas.width,
            height: canvas.height,
          };
        }
      }
    }
  } finally {
    bitmap.close();
  }
  return { file: null, scaled: false };
}
