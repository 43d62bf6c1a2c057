import { render } from 'preact';
import { App } from './components/app.js';
import { apiClient, storedToken } from './session.js';
import './styles.css';

const root = document.getElementById('app');
if (root) {
  // The status is what the page shows first: ask for it before anything renders.
  const firstStatus = apiClient(storedToken()).status();
  root.textContent = '';
  render(<App firstStatus={firstStatus} />, root);
}
