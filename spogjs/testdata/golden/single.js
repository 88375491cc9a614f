// ECE gadget configuration for CCE Administration
(function () {
    'use strict';
}());

    var web_server_protocol = 'https';
    var web_server_name = 'UCSVRECEWEB.example.com';

    var spog_context_path = '/system/web/view/platform/spog/';
