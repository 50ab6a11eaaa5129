// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // "Copy citation" buttons: shown only where the clipboard can be used.
  if (navigator.clipboard) {
    document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(button.dataset.copy).then(function () {
          button.textContent = "Copied";
        });
      });
    });
  }

  // Upload progress: poll the job instead of waiting for the page's own refresh.
  var job = document.querySelector(".job[data-job-url]");
  if (job && (job.dataset.state === "queued" || job.dataset.state === "running")) {
    var bar = job.querySelector("progress");
    var count = job.querySelector(".job-count");
    var poll = function () {
      fetch(job.dataset.jobUrl, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          var state = data.job.state;
          bar.max = data.job.total || 1;
          bar.value = data.job.done;
          count.textContent = data.job.done + " of " + (data.job.total || "?") +
            ({ ocr: " pages read by OCR", reading: " files read" }[data.job.stage] || " passages embedded");
          if (state === "done" || state === "failed") {
            window.location.reload();
          } else {
            window.setTimeout(poll, 500);
          }
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    };
    poll();
  }

  // Pin a selection on the document page: the headings and bodies carry data-start, the offset of their first
  // character in the document's cleaned text, and render that text exactly, so a selection maps to offsets.
  var fulltext = document.querySelector(".fulltext");
  var selectionPin = document.querySelector("form.pin-selection");
  if (fulltext && selectionPin) {
    var holders = Array.prototype.slice.call(fulltext.querySelectorAll("[data-start]"));
    var startOf = function (holder) { return Number(holder.dataset.start); };
    var endOf = function (holder) { return startOf(holder) + holder.textContent.length; };
    // A boundary point as an offset in the text: inside a holder, or between holders (the next one's start, or
    // the previous one's end for the end of a selection).
    var textOffset = function (node, offset, isEnd) {
      var previous = null;
      for (var i = 0; i < holders.length; i++) {
        var range = document.createRange();
        range.selectNodeContents(holders[i]);
        var where = range.comparePoint(node, offset);
        if (where === 0) {
          range.setEnd(node, offset);
          return startOf(holders[i]) + range.toString().length;
        }
        if (where < 0) {
          return isEnd ? (previous ? endOf(previous) : null) : startOf(holders[i]);
        }
        previous = holders[i];
      }
      return isEnd && previous ? endOf(previous) : null;
    };
    var preview = selectionPin.querySelector(".pin-preview");
    var back = selectionPin.elements.next.value;
    document.addEventListener("selectionchange", function () {
      var selection = document.getSelection();
      if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
        return; // keep the last selection: choosing a brief or pressing Pin may collapse it
      }
      var range = selection.getRangeAt(0);
      if (!fulltext.contains(range.commonAncestorContainer)) {
        return;
      }
      var start = textOffset(range.startContainer, range.startOffset, false);
      var end = textOffset(range.endContainer, range.endOffset, true);
      var text = range.toString();
      if (start === null || end === null) {
        return;
      }
      start += text.length - text.replace(/^\s+/, "").length; // no stray spaces or line ends at either edge
      end -= text.length - text.replace(/\s+$/, "").length;
      if (end <= start) {
        return;
      }
      selectionPin.elements.start.value = start;
      selectionPin.elements.end.value = end;
      var first = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement;
      var block = first.closest(".chunk");
      selectionPin.elements.next.value = back + (block ? "#" + block.id : ""); // back to where the reader was
      var words = selection.toString().trim().split(/\s+/); // as shown: a heading and its text stay apart
      preview.textContent = "“" + words.slice(0, 8).join(" ") + (words.length > 8 ? " …" : "") + "” (" + (end - start) + " characters)";
      selectionPin.hidden = false;
    });
    selectionPin.querySelector(".pin-close").addEventListener("click", function () {
      selectionPin.hidden = true;
    });
  }

  // Reached from a result: bring the cited passage into view.
  var passage = document.getElementById("passage");
  if (passage && (!window.location.hash || window.location.hash === "#passage")) {
    passage.scrollIntoView({ block: "center" });
  }
})();
