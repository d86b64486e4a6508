// "Use my location" on a report's location page: a progressive enhancement. Without script
// (or without geolocation) the button stays hidden and the address field is the way; with it,
// the browser's own position fills the form's coordinates. Nothing is sent anywhere but the
// form.
(function locate() {
  const button = document.querySelector('[data-egov-locate]');
  if (!button || !('geolocation' in navigator)) return;
  const status = document.getElementById(button.getAttribute('aria-controls'));
  button.hidden = false;
  button.addEventListener('click', () => {
    status.textContent = button.dataset.busy;
    navigator.geolocation.getCurrentPosition((pos) => {
      document.getElementById('lat').value = pos.coords.latitude.toFixed(6);
      document.getElementById('long').value = pos.coords.longitude.toFixed(6);
      status.textContent = button.dataset.done.replace('#', String(Math.round(pos.coords.accuracy)));
      document.dispatchEvent(new CustomEvent('egov:located'));
    }, () => {
      status.textContent = button.dataset.failed;
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
}());
