// Client-side checks for the hotel fields, with the same limits as the API. A picture over
// the API's size is not an error here: the page scales it down before sending (picture.js).
const PICTURE_TYPES = ["image/png", "image/jpeg", "image/webp"];
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Errors [{field, message}] for the hotel fields present in `form`. */
export function validateHotel(form, { pictureRequired = false } = {}) {
  const errors = [];
  const value = (name) => form.elements.namedItem(name)?.value.trim() ?? "";
  const add = (field, message) => errors.push({ field, message });
  if (!value("name")) add("name", "Enter the hotel's name.");
  const stars = Number(value("stars"));
  if (!value("stars")) add("stars", "Choose a star rating.");
  else if (!Number.isInteger(stars) || stars < 1 || stars > 5) {
    add("stars", "The star rating is 1 to 5.");
  }
  if (!value("city")) add("city", "Enter the city.");
  const picture = form.elements.namedItem("picture");
  if (picture) {
    const file = picture.files?.[0];
    if (!file) {
      if (pictureRequired) add("picture", "Choose a picture of the hotel.");
    } else if (!PICTURE_TYPES.includes(file.type)) {
      add("picture", "The picture must be a PNG, JPEG or WebP image.");
    }
  }
  const price = value("pricePerNight");
  if (!price) add("pricePerNight", "Enter the price per night.");
  else if (!(Number(price) > 0)) add("pricePerNight", "The price per night must be more than 0.");
  else if (!/^\d+(\.\d{1,2})?$/.test(price)) {
    add("pricePerNight", "Use a price like 120 or 120.50 (at most 2 decimals).");
  }
  const rooms = value("rooms");
  if (!rooms) add("rooms", "Enter the number of rooms.");
  else if (!/^\d+$/.test(rooms) || Number(rooms) < 1 || Number(rooms) > 10000) {
    add("rooms", "Rooms must be a whole number from 1 to 10000.");
  }
  const email = value("managerEmail");
  if (!email) add("managerEmail", "Choose the hotel's manager.");
  else if (!EMAIL.test(email)) add("managerEmail", "Enter an email address like name@example.com.");
  return errors;
}
