// Ingot portal: live parts. An element with data-live="/portal/live/..." is replaced by what its server-sent event stream
// sends (HTML rendered by the server's own components) each time something it shows changes; the stream ends itself when
// the thing is finished. No framework, no other script.
"use strict";
for (const region of document.querySelectorAll("[data-live]")) {
  const url = region.getAttribute("data-live");
  if (!url || !url.startsWith("/portal/live/")) continue;
  const source = new EventSource(url);
  source.addEventListener("html", (e) => { region.innerHTML = e.data; });
  source.addEventListener("done", () => source.close());
  source.onerror = () => { if (source.readyState === EventSource.CLOSED) region.setAttribute("data-live-ended", ""); };
}
