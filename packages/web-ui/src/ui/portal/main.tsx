import { render } from 'preact';
import '../styles/app.css';
import { PortalApp } from './app.js';

const root = document.getElementById('app');
if (root) render(<PortalApp />, root);
