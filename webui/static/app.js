// Small enhancements only: every page works fully without this script.
"use strict";

// "/" jumps to the search box.
document.addEventListener("keydown", (event) => {
  const box = document.getElementById("q");
  const typing = event.target instanceof HTMLElement && event.target.closest("input, textarea, select");
  if (event.key === "/" && box && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    box.focus();
    box.select();
  }
});

// The chart toggle switches between counts and share of corpus in place, and keeps the choice
// in the address and in every link of the page, so filtering keeps the chosen view.
function setChartParam(href, mode) {
  const url = new URL(href, window.location.href);
  if (mode === "share") {
    url.searchParams.set("chart", "share");
  } else {
    url.searchParams.delete("chart");
  }
  return url.origin === window.location.origin ? url.pathname + url.search + url.hash : url.toString();
}

function applyChartMode(mode) {
  const chart = document.getElementById("volume-chart");
  const toggle = document.getElementById("chart-toggle");
  if (!chart || !toggle) {
    return;
  }
  chart.classList.toggle("mode-share", mode === "share");
  chart.classList.toggle("mode-count", mode !== "share");
  toggle.setAttribute("href", mode === "share" ? toggle.dataset.hrefCount : toggle.dataset.hrefShare);
  document.querySelectorAll("a[href^='?']").forEach((link) => {
    if (link !== toggle && !link.closest("#volume-chart")) {
      link.setAttribute("href", setChartParam(link.getAttribute("href"), mode));
    }
  });
  document.querySelectorAll("form[method='get']").forEach((form) => {
    let field = form.querySelector("input[type='hidden'][name='chart']");
    if (mode === "share" && !field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "chart";
      field.value = "share";
      form.appendChild(field);
    } else if (mode !== "share" && field) {
      field.remove();
    }
  });
  window.history.replaceState(null, "", setChartParam(window.location.href, mode));
}

document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.getElementById("chart-toggle");
  const chart = document.getElementById("volume-chart");
  if (!toggle || !chart) {
    return;
  }
  toggle.addEventListener("click", (event) => {
    event.preventDefault();
    const next = chart.classList.contains("mode-share") ? "count" : "share";
    applyChartMode(next);
    toggle.focus();
  });
});
