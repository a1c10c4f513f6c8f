import { readAsyncApi } from "./asyncapi";
import { readHtml } from "./html";
import { readMarkdown, type DocPage } from "./tables";

/** The formats `ws-errors import` reads. */
export type DocFormat = "markdown" | "html" | "asyncapi";

/** The format a page's text is in, when nobody says: an AsyncAPI document names its version first. */
export function formatOf(text: string): DocFormat {
  if (/^\s*(?:\{\s*)?["']?asyncapi["']?\s*:/m.test(text.slice(0, 2000))) return "asyncapi";
  if (/^\s*(?:<!doctype html|<html|<table|<body|<div|<section|<article|<h[1-6])/i.test(text)) return "html";
  return "markdown";
}

/** A page of any format read into the tables, examples and prose the importer works on. */
export function readPage(text: string, format: DocFormat = formatOf(text)): DocPage {
  switch (format) {
    case "html":
      return readHtml(text);
    case "asyncapi":
      return readAsyncApi(text);
    default:
      return readMarkdown(text);
  }
}
