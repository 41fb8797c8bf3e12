// The platform's REST API, with the login token kept for this browser tab.
const PREFIX = "/api/v1";

export function token() {
  return sessionStorage.getItem("parksteward.token");
}

export async function login(username, password) {
  const body = new URLSearchParams({ username, password });
  const response = await fetch(`${PREFIX}/auth/token`, { method: "POST", body });
  if (!response.ok) return false;
  sessionStorage.setItem("parksteward.token", (await response.json()).access_token);
  return true;
}

export function logout() {
  sessionStorage.removeItem("parksteward.token");
}

export async function get(path) {
  const response = await fetch(`${PREFIX}${path}`, { headers: { Authorization: `Bearer ${token()}` } });
  if (response.status === 401) {
    logout();
    location.reload();
  }
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}
