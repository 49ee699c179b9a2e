// Every section has registered itself: start the admin console.
AntreAdmin.start();
