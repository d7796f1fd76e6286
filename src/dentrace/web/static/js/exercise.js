// Training exercise banner: count down to the end the workspace's exercise manifest gives.
const shown = document.getElementById("exercise-countdown");

function tick() {
  const left = Math.max(0, Math.round((Date.parse(shown.dataset.ends) - Date.now()) / 1000));
  if (left === 0) {
    shown.textContent = "time is up";
    shown.parentElement.classList.add("exercise-over");
    return;
  }
  const hours = Math.floor(left / 3600);
  const minutes = Math.floor((left % 3600) / 60);
  const seconds = String(left % 60).padStart(2, "0");
  shown.textContent = `${hours ? `${hours}:${String(minutes).padStart(2, "0")}` : minutes}:${seconds} left`;
  setTimeout(tick, 1000);
}

if (shown && !Number.isNaN(Date.parse(shown.dataset.ends))) tick();
