// Building the page: elements whose text is always set as text (textContent), never parsed as HTML.

export interface Props {
  text?: string;
  className?: string;
  /** set through the CSSOM, which the page's Content-Security-Policy allows (a style attribute it would not) */
  style?: string;
  onclick?: (event: MouseEvent) => void;
  /** any other attribute, e.g. `id`, `href`, `title`, `data-trace-id` */
  [attribute: string]: string | ((event: MouseEvent) => void) | undefined;
}

export type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined) continue;
    if (key === "onclick") node.onclick = value as (event: MouseEvent) => void;
    else if (key === "text") node.textContent = value as string;
    else if (key === "className") node.className = value as string;
    else if (key === "style") node.style.cssText = value as string;
    else node.setAttribute(key, value as string);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}
