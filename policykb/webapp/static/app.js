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
          count.textContent = data.job.done + " of " + (data.job.total || "?") + " passages embedded";
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

  // Reached from a result: bring the cited passage into view.
  var passage = document.getElementById("passage");
  if (passage) {
    passage.scrollIntoView({ block: "center" });
  }
})();
