// acme-client loads axios through require(); importing it the same way here makes bundlers
// resolve one copy (dist/node/axios.cjs) instead of adding the ESM build next to it.
module.exports = require('axios');
